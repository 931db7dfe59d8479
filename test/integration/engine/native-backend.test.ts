/**
 * The engine's numerics on native TensorFlow (@tensorflow/tfjs-node, CPU) equal those on the pure-JS cpu backend:
 * every mixture method with all its gradients (dx, every weight, alpha, bias), every gradient and kernel fill of
 * src/worker/engine/ops/kernels (the checks of the webgpu equivalence page), and a tiny DASH and P-DASH run. Each
 * part runs in a forked process (native-backend-child.ts), because a tfjs backend and the native library are per
 * process. Where tfjs-node is not set up (not installed, or installed without its binding) the tests are skipped
 * and say how to set it up; where it is set up but does not start, they fail with the reason.
 *
 * Tolerance: 1e-4 of the cpu result's largest magnitude, for ops and for the runs' recorded losses and alphas. Both
 * backends compute in float32; the cpu backend is within 5e-5 of the float64 naive reference on these ops
 * (test/unit/worker/engine/ops/mixture-conv.test.ts), and TensorFlow's oneDNN kernels sum in another order (blocked,
 * vectorised, fused multiply-add), so two correct results may differ by twice that. Measured: at most 1.6e-6 for the
 * ops, 8e-7 for the runs' alphas after their few steps. A wrong index, padding or missing term is off by O(1).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MIXTURE_METHODS } from '../../../src/shared/engine/index.ts';
import { installedBinding } from '../../../src/platform/tfjs-node.ts';
import type { CheckResult, ProbeAnswer, RunRecord } from './native-backend-child.ts';

const TOLERANCE = 1e-4;
const child = fileURLToPath(new URL('./native-backend-child.ts', import.meta.url));
const require = createRequire(import.meta.url);

/** Runs the child in one mode and returns what it sent; its stderr (TensorFlow's start-up lines) is kept for errors. */
function runChild<T>(mode: 'probe' | 'compare' | 'runs'): Promise<T> {
  return new Promise((resolve, reject) => {
    const process_ = fork(child, [mode], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    let answer: { value: T } | null = null;
    process_.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    process_.on('message', (message) => (answer = { value: message as T }));
    process_.once('error', reject);
    process_.once('exit', (code, signal) => {
      if (answer !== null) resolve(answer.value);
      else reject(new Error(`native-backend-child ${mode} exited (code ${code}, signal ${signal}) without an answer:\n${stderr.slice(-2000)}`));
    });
  });
}

/** Whether tfjs-node is set up at all: installed, with its native binding built. */
function nativeSetUp(): { setUp: boolean; why: string } {
  let packageJson: string;
  try {
    packageJson = require.resolve('@tensorflow/tfjs-node/package.json');
  } catch {
    return { setUp: false, why: '@tensorflow/tfjs-node is not installed' };
  }
  const binding = installedBinding(path.dirname(packageJson)).file;
  return fs.existsSync(binding) ? { setUp: true, why: '' } : { setUp: false, why: `@tensorflow/tfjs-node has no native binding (${binding})` };
}

const setUp = nativeSetUp();

if (!setUp.setUp) {
  describe('native TensorFlow (tfjs-node) equals cpu', () => {
    it.skip(`skipped: ${setUp.why}; run 'pdash setup native' to build it from TensorFlow's Python wheel`, () => undefined);
  });
} else {
  describe('native TensorFlow (tfjs-node) equals cpu', () => {
    let probe: ProbeAnswer;
    let checks: CheckResult[];
    let runs: RunRecord[];

    beforeAll(async () => {
      probe = await runChild<ProbeAnswer>('probe');
      if (!probe.available) return;
      [checks, runs] = await Promise.all([runChild<CheckResult[]>('compare'), runChild<RunRecord[]>('runs')]);
    }, 120_000);

    it("starts as the worker starts it (setupNodeRuntime({ backend: 'tensorflow' }))", () => {
      expect(probe.available, probe.detail).toBe(true);
      expect(probe.detail).toMatch(/^@tensorflow\/tfjs-node 4\.22\.0 \(libtensorflow\)/);
    });

    it('every mixture method (y, dx, every weight, alpha, bias) is within float32 tolerance of cpu', () => {
      const mixture = checks.filter((c) => c.name.startsWith('mixtureConv'));
      expect(mixture).toHaveLength(6 * MIXTURE_METHODS.length);
      for (const method of MIXTURE_METHODS) expect(mixture.filter((c) => c.name.includes(`method=${method} `))).toHaveLength(6);
      expectWithinTolerance(mixture);
    });

    it('every gradient and kernel fill of ops/kernels is within float32 tolerance of cpu', () => {
      const fills = checks.filter((c) => !c.name.startsWith('mixtureConv'));
      expect(fills.length).toBeGreaterThanOrEqual(20);
      expectWithinTolerance(fills);
    });

    for (const method of ['dash', 'pdash'] as const) {
      it(`a tiny ${method} run records the same losses and alphas, and ends with the same architecture and metric`, () => {
        const [native, cpu] = [runs.find((r) => r.method === method && r.backend === 'tensorflow')!, runs.find((r) => r.method === method && r.backend === 'cpu')!];
        expect(native.searchLosses.length).toBeGreaterThan(0);
        expect(native.searchLosses).toHaveLength(cpu.searchLosses.length);
        expect(native.alphas).toHaveLength(cpu.alphas.length);
        expect(native.alphas.length).toBeGreaterThan(0);
        const lossError = relativeError(native.searchLosses, cpu.searchLosses);
        const alphaError = Math.max(...native.alphas.map((a, i) => relativeError(a, cpu.alphas[i]!)));
        expect(lossError, 'search losses').toBeLessThan(TOLERANCE);
        expect(alphaError, 'alpha snapshots').toBeLessThan(TOLERANCE);
        // The selection follows from alphas this close when every layer's top-two gap is far wider than their
        // difference; the same architecture, trained the same way, then gives the same test metric.
        const alphaDifference = Math.max(...native.alphas.flatMap((a, i) => a.map((v, j) => Math.abs(v - cpu.alphas[i]![j]!))));
        expect(cpu.lastMargin, 'closest top-two alpha gap').toBeGreaterThan(100 * alphaDifference);
        expect(native.archId).toBe(cpu.archId);
        expect(native.metric).toBeCloseTo(cpu.metric, 6);
        process.stdout.write(`tiny ${method} on ${native.task}: tensorflow ${(native.ms / 1000).toFixed(1)} s, cpu ${(cpu.ms / 1000).toFixed(1)} s; max relative difference: losses ${lossError.toExponential(1)}, alphas ${alphaError.toExponential(1)} (${alphaDifference.toExponential(1)} absolute; closest top-two gap ${cpu.lastMargin.toExponential(1)})\n`);
      });
    }
  });
}

function expectWithinTolerance(results: CheckResult[]): void {
  expect(results.filter((r) => r.backend !== 'tensorflow').map((r) => r.name), 'checks not computed on tensorflow').toEqual([]);
  const failures = results.flatMap((r) => Object.entries(r.errors).filter(([, e]) => !(e <= TOLERANCE)).map(([name, e]) => `${r.name}: ${name} off by ${e}`));
  expect(failures).toEqual([]);
  const worst = results.map((r) => `${Math.max(...Object.values(r.errors)).toExponential(1)}  ${r.name}`);
  process.stdout.write(`tensorflow vs cpu, max relative error per check:\n${worst.join('\n')}\n`);
}

/** Max |a - b| over max |b| (with a floor), as the child computes it for tensors. */
function relativeError(actual: readonly number[], expected: readonly number[]): number {
  if (actual.length !== expected.length) return Infinity;
  const scale = Math.max(1e-6, ...expected.map(Math.abs));
  const error = Math.max(0, ...actual.map((a, i) => Math.abs(a - expected[i]!) / scale));
  return Number.isNaN(error) ? Infinity : error;
}
