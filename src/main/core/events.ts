import type { EventName, PayloadOf } from '../../shared/contract/index.ts';
import { validateEvent } from '../../shared/rpc.ts';

export type LabEventListener = <E extends EventName>(event: E, payload: PayloadOf<E>) => void;

/** The core's event bus. Every payload is validated against the contract before anyone sees it. */
export class LabEvents {
  private readonly listeners = new Set<LabEventListener>();

  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: LabEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: PayloadOf<E>): void {
    const checked = validateEvent<E>(event, payload);
    for (const listener of this.listeners) listener(event, checked);
  }
}
