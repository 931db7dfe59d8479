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
      loaded = await startBackend(loader, options.threads);
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

export interface BackendProbeEntry {
  name: BackendName;
  available: boolean;
  /** What it offers (package, threads, device) when available; why not otherwise. */
  detail: string;
  /** Median ms of the probe step (measureProbeStep) when available: the default backend is the fastest. */
  probeMs: number | null;
}

export interface BackendProbeResult {
  backends: BackendProbeEntry[];
  /** The fastest backend that passed its smoke computation (cpu when none did). */
  preferred: BackendName;
  tfjsVersion: string;
}

/**
 * Tries every loader in this host best first: load, select, the smoke computation, then the timed probe step. The
 * default backend is the fastest that passes (measured, not assumed: a native build or a GPU adapter may be slower
 * than wasm on some machines). The backend active before is restored; nothing is disposed that the caller holds.
 */
export async function probeBackends(loaders: readonly BackendLoader[], options: { threads?: number } = {}): Promise<BackendProbeResult> {
  const previous = tf.getBackend();
  // The engine's fills (e.g. wasm's missing Conv2DBackpropFilter) are part of what a run gets, so the probe step
  // runs with them. Needs tfjs-core's gradients registered first (the host's job, as for initBackend).
  registerTrainingKernels();
  const backends: BackendProbeEntry[] = [];
  for (const loader of loaders) {
    try {
      const loaded = await startBackend(loader, options.threads);
      const probeMs = await measureProbeStep();
      backends.push({ name: loader.name, available: true, detail: loaded.detail, probeMs });
    } catch (error) {
      backends.push({ name: loader.name, available: false, detail: messageOf(error), probeMs: null });
    }
  }
  if (previous !== undefined && previous !== tf.getBackend()) await tf.setBackend(previous);
  const fastest = backends.filter((b) => b.available && b.probeMs !== null).sort((a, b) => a.probeMs! - b.probeMs!)[0];
  return { backends, preferred: fastest?.name ?? 'cpu', tfjsVersion: tf.version_core };
}

/** Probe step shape: two 3x3 convolutions of 8 channels on 16x52 maps (NinaPro's map size), batch 2. */
const PROBE_SHAPE = { batch: 2, height: 16, width: 52, channels: 8 } as const;
const PROBE_REPEATS = 3;
/** A backend whose warm-up step takes longer than this is timed once more, not PROBE_REPEATS times: it will not win. */
const PROBE_SLOW_MS = 250;

/**
 * Median wall ms of one training-like step on the active backend: conv, relu, conv, a loss, and the gradients of
 * the input and both filters, read back. Small on purpose (about 6 MFLOP): like the search step at these sizes it is
 * dominated by per-op overhead and small convolutions, and the pure-JS backend, tens of times slower than the others,
 * still takes well under a second. One warm-up call compiles shaders / initialises kernels first.
 */
export async function measureProbeStep(): Promise<number> {
  const { batch, height, width, channels } = PROBE_SHAPE;
  const x = tf.randomNormal([batch, height, width, channels], 0, 1, 'float32', 11) as tf.Tensor4D;
  const f1 = tf.randomNormal([3, 3, channels, channels], 0, 0.1, 'float32', 12) as tf.Tensor4D;
  const f2 = tf.randomNormal([3, 3, channels, channels], 0, 0.1, 'float32', 13) as tf.Tensor4D;
  const step = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(tf.square(tf.conv2d(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), c as tf.Tensor4D, 1, 'same'))),
  );
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const gradients = step([x, f1, f2]);
    await Promise.all(gradients.map((g) => g.data()));
    const ms = performance.now() - t0;
    tf.dispose(gradients);
    return ms;
  };
  try {
    const warmUp = await once();
    const samples: number[] = [];
    const repeats = warmUp > PROBE_SLOW_MS ? 1 : PROBE_REPEATS;
    for (let i = 0; i < repeats; i++) samples.push(await once());
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)]!;
  } finally {
    tf.dispose([x, f1, f2]);
  }
}

/** Loads a backend, makes it the active one and runs the smoke computation on it; throws saying why it cannot start. */
async function startBackend(loader: BackendLoader, threads: number | undefined): Promise<LoadedBackend> {
  const loaded = await loader.load(threads !== undefined ? { threads } : {});
  if (!(await tf.setBackend(loaded.tfjsName))) throw new Error(`tf.setBackend('${loaded.tfjsName}') returned false`);
  await tf.ready();
  await smokeComputation();
  return loaded;
}

/**
 * A tiny computation through the engine's tfjs instance, so a backend that registers but cannot run is skipped. Read
 * asynchronously: a WebGPU page in headless Chromium has no synchronous readback (dataSync reads zeros there).
 */
export async function smokeComputation(): Promise<void> {
  const result = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
  const value = (await result.data())[0];
  result.dispose();
  if (value !== 12) throw new Error(`smoke test computed ${value} instead of 12`);
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String((error as { message: unknown }).message);
  return String(error);
}
