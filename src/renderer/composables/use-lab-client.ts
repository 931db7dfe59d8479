import { inject, type InjectionKey } from 'vue';
import type { LabClient } from '../api/lab-client.ts';

/** Provided once at bootstrap (main.ts); tests provide a client over a fake transport. */
export const labClientKey: InjectionKey<LabClient> = Symbol('lab-client');

export function useLabClient(): LabClient {
  const client = inject(labClientKey, null);
  if (client === null) {
    throw new Error('No LabClient provided: the app must provide one under labClientKey (see main.ts).');
  }
  return client;
}
