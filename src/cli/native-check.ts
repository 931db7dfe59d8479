/**
 * The process `pdash setup native` starts to check a native TensorFlow package: `node src/cli/native-check.ts
 * <package>` loads it as the worker does (the engine's tfjs-core instance, the util functions restored) and computes
 * a conv2d forward (also dilated) and both its gradients on 'tensorflow' and on the pure-JS 'cpu' backend. It prints one
 * JSON line (NativeCheck) and exits 0 whatever it found; a crash of the native library shows as no line. A process of
 * its own because the backend is per process, and a library that aborts takes only this process with it.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { installedBinding, restoreUtilForTfjsNode } from '../platform/tfjs-node.ts';

export type NativeCheckStage = 'not-installed' | 'other-tfjs-core' | 'no-binding' | 'load' | 'no-backend' | 'op' | 'mismatch';

export type NativeCheck =
  | { ok: true; package: string; version: string; detail: string; maxRelativeError: number; loadMs: number }
  | { ok: false; package: string; stage: NativeCheckStage; message: string };

/**
 * float32 tolerance of the comparison: max |native - cpu| over max |cpu|. The sums here run over at most
 * 5 * 5 * 6 * 2 * 10 * 10 = 30,000 products, accumulated in another order by oneDNN than by the cpu backend; the
 * relative rounding error of such sums stays below about 1e-5 (measured 1e-7 to 1e-6), and a wrong result (a
 * dilation or padding mistake) is off by order 1.
 */
export const NATIVE_CHECK_TOLERANCE = 1e-4;

const require = createRequire(import.meta.url);

export async function checkNativePackage(packageName: string): Promise<NativeCheck> {
  const fail = (stage: NativeCheckStage, message: string): NativeCheck => ({ ok: false, package: packageName, stage, message });
  let entry: string;
  try {
    entry = require.resolve(packageName);
  } catch {
    return fail('not-installed', `${packageName} is not installed in ${path.resolve(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), '..', '..')}`);
  }
  const packageDir = path.dirname(require.resolve(`${packageName}/package.json`));
  const version = (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
  const theirCore = createRequire(entry).resolve('@tensorflow/tfjs-core');
  const ourCore = require.resolve('@tensorflow/tfjs-core');
  if (theirCore !== ourCore) return fail('other-tfjs-core', `${packageName} ${version} resolves its own tfjs-core (${theirCore}), not the engine's (${ourCore})`);
  const binding = installedBinding(packageDir).file;
  if (!fs.existsSync(binding)) return fail('no-binding', `${packageName} ${version} has no native binding at ${binding}`);
  restoreUtilForTfjsNode();
  const t0 = performance.now();
  try {
    require(packageName);
  } catch (error) {
    return fail('load', `${packageName} ${version} failed to load: ${messageOf(error)}`);
  }
  const loadMs = performance.now() - t0;
  if (tf.findBackendFactory('tensorflow') == null || !(await tf.setBackend('tensorflow'))) {
    return fail('no-backend', `${packageName} ${version} loaded but the engine's tfjs-core has no working 'tensorflow' backend`);
  }
  let native: Float32Array[];
  try {
    native = convAndGradients();
  } catch (error) {
    return fail('op', `${packageName} ${version} loaded, but conv2d and its gradients failed on it: ${messageOf(error)}`);
  }
  await tf.setBackend('cpu');
  const reference = convAndGradients();
  const names = ['conv2d', 'conv2d with dilation 2', 'its gradient for x', 'its gradient for the filter'];
  let worst = 0;
  for (let i = 0; i < reference.length; i++) {
    const error = maxRelativeError(native[i]!, reference[i]!);
    if (!(error <= NATIVE_CHECK_TOLERANCE)) {
      return fail('mismatch', `${packageName} ${version}: ${names[i]} on 'tensorflow' differs from the cpu backend by ${error.toExponential(2)} (relative; tolerance ${NATIVE_CHECK_TOLERANCE})`);
    }
    worst = Math.max(worst, error);
  }
  return { ok: true, package: packageName, version, detail: `${packageName} ${version} loads and computes conv2d and its gradients as the cpu backend does`, maxRelativeError: worst, loadMs };
}

/**
 * A 5x5 conv2d of x [2,10,10,6] ('same') and the gradients of sum(r * y) for x and the filter, and the same conv with
 * dilation 2 forward only (tfjs's own conv2d gradient refuses dilations; the engine registers its own).
 */
function convAndGradients(): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([2, 10, 10, 6], 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal([5, 5, 6, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
    const r = tf.randomNormal([2, 10, 10, 4], 0, 1, 'float32', 3);
    const [dx, dfilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), r)))([x, filter]);
    const dilated = tf.conv2d(x, filter, 1, 'same', 'NHWC', 2);
    return [tf.conv2d(x, filter, 1, 'same'), dilated, dx!, dfilter!].map((t) => t.dataSync() as Float32Array);
  });
}

function maxRelativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let scale = 1e-6;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let error = 0;
  for (let i = 0; i < expected.length; i++) error = Math.max(error, Math.abs(actual[i]! - expected[i]!) / scale);
  return Number.isNaN(error) ? Infinity : error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

if (import.meta.main) {
  const packageName = process.argv[2];
  if (packageName === undefined) {
    process.stderr.write('usage: node src/cli/native-check.ts <package>\n');
    process.exitCode = 2;
  } else {
    const check = await checkNativePackage(packageName);
    process.stdout.write(`\n${JSON.stringify(check)}\n`);
  }
}
