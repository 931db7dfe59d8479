/**
 * Compute backend selection for the engine. The engine itself only knows tfjs-core and the pure-JS cpu
 * backend; whoever hosts it (src/worker/node-runtime.ts in Node, a browser host later) passes loaders for the
 * other backends. `initBackend` tries them best first (or exactly the one asked for), sets the tfjs backend,
 * registers the engine's gradient and kernel fills and reports what it got.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { registerTrainingKernels } from '../ops/kernels/register.ts';

import { BACKEND_PREFERENCE, type BackendName } from '../../../shared/engine/index.ts';

export { BACKEND_PREFERENCE, type BackendName };

export interface BackendReport {
  name: BackendName;
  /** Threads the backend computes with (1 for cpu; the pthread pool size for wasm; the native pool otherwise). */
  threads: number;
  simd: boolean;
  /** Version of the tfjs-core instance the engine uses. */
  tfjsVersion: string;
  /** One line for people: package versions, why better backends were skipped, the fills registered. */
  detail: string;
}

/** What a loader returns once its tfjs backend is registered with the engine's tfjs-core instance. */
export interface LoadedBackend {
  /** Name to pass to tf.setBackend ('tensorflow' for both native variants). */
  tfjsName: string;
  threads: number;
  simd: boolean;
  detail: string;
}

export interface BackendLoader {
  name: BackendName;
  /** Loads and registers the backend; throws an Error saying why it is unavailable. */
  load(options: { threads?: number }): Promise<LoadedBackend>;
}

export interface InitBackendOptions {
  /** Use exactly this backend (an error if it cannot start) instead of the best available. */
  backend?: BackendName;
  /** Thread count for backends that take one (wasm). */
  threads?: number;
}

/** The pure-JS backend: always available. */
export const cpuLoader: BackendLoader = {
  name: 'cpu',
  load: async () => ({ tfjsName: 'cpu', threads: 1, simd: false, detail: 'pure JavaScript' }),
};

let current: BackendReport | null = null;

/** The report of the last successful `initBackend`, or null before it. */
export function backendReport(): BackendReport | null {
  return current;
}

export async function initBackend(loaders: readonly BackendLoader[], options: InitBackendOptions = {}): Promise<BackendReport> {
  const byName = new Map<BackendName, BackendLoader>(loaders.map((l) => [l.name, l]));
  if (!byName.has('cpu')) byName.set('cpu', cpuLoader);
  const order = options.backend !== undefined ? [options.backend] : BACKEND_PREFERENCE;
  const skipped: string[] = [];
  for (const name of order) {
    const loader = byName.get(name);
    if (loader === undefined) {
      skipped.push(`${name}: no loader in this host`);
      continue;
    }
    let loaded: LoadedBackend;
    try {
      loaded = await loader.load(options.threads !== undefined ? { threads: options.threads } : {});
      if (!(await tf.setBackend(loaded.tfjsName))) throw new Error(`tf.setBackend('${loaded.tfjsName}') returned false`);
      await tf.ready();
      smokeTest();
    } catch (error) {
      skipped.push(`${name}: ${messageOf(error)}`);
      continue;
    }
    const fills = registerTrainingKernels();
    const parts = [loaded.detail];
    if (skipped.length > 0) parts.push(`skipped ${skipped.join('; ')}`);
    parts.push(`gradient fills: ${fills.gradients.join(', ')}`);
    if (fills.kernels.length > 0) parts.push(`kernel fills: ${fills.kernels.join(', ')}`);
    if (fills.replaced.length > 0) parts.push(`kernel fixes: ${fills.replaced.join(', ')}`);
    current = { name, threads: loaded.threads, simd: loaded.simd, tfjsVersion: tf.version_core, detail: parts.join('; ') };
    return current;
  }
  const asked = options.backend !== undefined ? `the requested backend '${options.backend}'` : 'any backend';
  throw new Error(`Could not start ${asked}: ${skipped.join('; ')}`);
}

/** A tiny computation through the engine's tfjs instance, so a backend that registers but cannot run is skipped. */
function smokeTest(): void {
  const value = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)).dataSync()[0]);
  if (value !== 12) throw new Error(`smoke test computed ${value} instead of 12`);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
