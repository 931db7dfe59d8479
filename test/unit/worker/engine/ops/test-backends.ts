/**
 * Backends for the engine's op tests: every backend this machine can run (cpu always, wasm when it starts),
 * with the engine's gradient and kernel fills registered. wasm runs single-threaded here: the test files run
 * in parallel on small CI machines; the threaded build is covered by the node-runtime tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupNodeRuntime } from '../../../../../src/worker/node-runtime.ts';

export type TestBackend = 'cpu' | 'wasm';

export async function prepareTestBackends(): Promise<TestBackend[]> {
  const available: TestBackend[] = ['cpu'];
  try {
    await setupNodeRuntime({ backend: 'wasm', threads: 1 });
    available.push('wasm');
  } catch (error) {
    // The report says why; the cpu backend still runs every test.
    console.warn(`wasm backend unavailable for tests: ${error instanceof Error ? error.message : String(error)}`);
    await setupNodeRuntime({ backend: 'cpu' });
  }
  return available;
}

export async function useBackend(name: TestBackend): Promise<void> {
  if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error(`could not switch to ${name}`);
}

/** Largest |a - b| relative to the largest |b| (plus a floor), with where it happens. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): { error: number; at: number } {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != expected ${expected.length}`);
  let scale = 1e-6;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  let error = 0;
  let at = -1;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.abs(actual[i]! - expected[i]!) / scale;
    if (!(e <= error)) {
      error = e;
      at = i;
    }
  }
  return { error, at };
}

/**
 * Central finite differences of a scalar function of x's values. The fills under test are linear in each
 * input, so a large step gives differences exact up to float32 rounding.
 */
export function finiteDifferenceGradient(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, step = 0.5): Float64Array {
  const values = Float32Array.from(x.dataSync());
  const grad = new Float64Array(values.length);
  const evaluate = (): number => tf.tidy(() => f(tf.tensor(values, x.shape, x.dtype)).dataSync()[0]!);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    values[i] = v + step;
    const plus = evaluate();
    values[i] = v - step;
    const minus = evaluate();
    values[i] = v;
    grad[i] = (plus - minus) / (2 * step);
  }
  return grad;
}

/** A scalar probe L = sum(r * y) with a fixed random r, so every output element carries gradient. */
export function linearProbe(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}
