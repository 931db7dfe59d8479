import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBench, headline } from '../../src/cli/commands/bench.ts';
import { main } from '../../src/cli/main.ts';
import type { MixtureCandidate, MixtureTiming } from '../../src/shared/engine/index.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { buildEnginePage } from '../unit/worker/browser/engine-page-build.ts';

interface Timing {
  method: string;
  ms: number | null;
  gflops: number | null;
  maxRelDiff: number | null;
}

describe('pdash bench', () => {
  it('mixture --backend cpu --json runs one layer in a bench process end to end and prints only JSON', async () => {
    const result = await runCli(['bench', 'mixture', '--backend', 'cpu', '--layers', 'ecg block1.conv1', '--batch', '2', '--repeats', '1', '--json']);
    expect(result.stderr).toMatch(/\[cpu\] layer 1\/1: ecg block1\.conv1 1->4 @1000/);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as {
      benchmarks: string[];
      skipped: unknown[];
      backends: Array<{
        requested: string;
        report: { name: string; threads: number; detail: string };
        machine: { cpus: number; os: string };
        mixture: { layers: Array<{ name: string; inputShape: number[]; outputShape: number[]; ratio: number; pick: string; best: string; methods: Timing[] }> };
        step: unknown;
        error: string | null;
      }>;
    };
    expect(json.benchmarks).toEqual(['mixture']);
    expect(json.skipped).toEqual([]);
    expect(json.backends).toHaveLength(1);
    const [run] = json.backends;
    expect(run).toMatchObject({ requested: 'cpu', report: { name: 'cpu', threads: 1 }, step: null, error: null });
    expect(run!.machine.cpus).toBeGreaterThan(0);
    expect(run!.machine.os).not.toBe('');
    const [layer] = run!.mixture.layers;
    expect(layer).toMatchObject({ name: 'ecg block1.conv1 1->4 @1000', inputShape: [2, 1000, 1], outputShape: [2, 1000, 4] });
    expect(layer!.ratio).toBeGreaterThan(0);
    expect(layer!.methods.map((m) => m.method)).toEqual(['naive', 'per-pattern', 'dilation-grouped', 'aggregated', 'fft']);
    for (const m of layer!.methods) {
      expect(m.ms).toBeGreaterThan(0);
      expect(m.gflops).toBeGreaterThan(0);
      if (m.method !== 'naive') expect(m.maxRelDiff, m.method).toBeLessThan(1e-4);
    }
  }, 30000);

  it('prints a table without --json, and lists a webgpu whose browser cannot start as not run, with the reason', async () => {
    const result = await runCli(['bench', 'mixture', '--backend', 'webgpu,cpu', '--layers', 'ecg block1.conv1', '--batch', '1', '--repeats', '1'], {
      env: { PDASH_CHROMIUM: '/nonexistent/chromium' },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/webgpu: not run \(PDASH_CHROMIUM is set to \/nonexistent\/chromium, which does not exist\./);
    expect(result.stdout).toMatch(/ecg block1\.conv1 1->4 @1000 {2}\[1x1000x1 -> 1x1000x4; 20 patterns K \{3,7,11,15,19\} x D \{1,3,7,15\}/);
    expect(result.stdout).toMatch(/cpu \(1 thread\) +naive +per-pattern +dilation-grouped +aggregated +fft/);
    expect(result.stdout).toMatch(/pick \S+, naive\/pick \d+\.\d\dx, best \S+/);
    expect(result.stdout).not.toMatch(/MISMATCH/);
  }, 30000);

  it('says what is wrong with a bad command line (exit 2) or a filter that matches no layer (exit 1, with the layers)', async () => {
    const unknown = await runCli(['bench', '--backend', 'tpu']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--backend: unknown backend 'tpu'; the backends are .*wasm, cpu/);
    const both = await runCli(['bench', '--backend', 'cpu', '--all-backends']);
    expect(both.code).toBe(2);
    const which = await runCli(['bench', 'speed']);
    expect(which.code).toBe(2);
    expect(which.stderr).toMatch(/takes mixture or step/);
    const nothing = await runCli(['bench', 'mixture', '--backend', 'cpu', '--layers', 'no-such-layer', '--json']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/no benchmark layer matches 'no-such-layer'/);
    expect(nothing.stderr).toMatch(/ninapro stem 1->16 @16x52/);
    expect(JSON.parse(nothing.stdout).backends[0].error).toMatch(/no benchmark layer matches/);
  }, 30000);

  it('stopped (Ctrl+C) during its second layer, it still prints the layer it measured and exits 130', async () => {
    let stdout = '';
    let stderr = '';
    let interrupt: (signal: string) => void = () => {};
    const interrupted = new Promise<string>((resolve) => (interrupt = resolve));
    const code = await main(['bench', 'mixture', '--backend', 'cpu', '--layers', 'ecg block1.conv1,ecg block1.conv2', '--batch', '1', '--repeats', '1', '--json'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => {
        stderr += t;
        // The first layer's result is sent before the second layer starts.
        if (t.includes('layer 2/2')) interrupt('SIGINT');
      },
      env: {},
      cwd: process.cwd(),
      isTTY: false,
      interrupted,
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/pdash bench: interrupted/);
    const json = JSON.parse(stdout) as { backends: Array<{ error: string; mixture: { partial: boolean; repeats: null; layers: Array<{ name: string; ratio: number }> } }> };
    expect(json.backends[0]!.error).toBe('interrupted');
    expect(json.backends[0]!.mixture).toMatchObject({ partial: true, repeats: null });
    expect(json.backends[0]!.mixture.layers.map((l) => l.name)).toEqual(['ecg block1.conv1 1->4 @1000']);
    expect(json.backends[0]!.mixture.layers[0]!.ratio).toBeGreaterThan(0);
  }, 30000);

  it('marks a method whose result differs from naive, and one that was skipped or timed once', () => {
    const timing = (method: MixtureCandidate, ms: number | null, maxRelDiff: number | null, note: string | null = null): MixtureTiming => ({ method, ms, samples: ms === null ? 0 : 1, gflops: ms === null ? null : 1, maxRelDiff, differences: null, note });
    const text = formatBench(
      [
        {
          requested: 'wasm',
          report: { name: 'wasm', threads: 2, simd: true, tfjsVersion: '4.22.0', detail: 'tfjs-backend-wasm' },
          machine: { cpus: 2, cpuModel: 'test', os: 'Linux', memoryGiB: 8, node: '24' },
          mixture: {
            tfjsBackend: 'wasm',
            repeats: 1,
            maxCallMs: 15000,
            layers: [
              {
                name: 'layer A',
                reference: 'custom',
                rank: 1,
                inputShape: [1, 8, 1],
                outputShape: [1, 8, 1],
                inChannels: 1,
                outChannels: 1,
                stride: 1,
                depthwise: false,
                kernels: [3],
                dilations: [1],
                patterns: 1,
                slots: 1,
                naiveFlops: 1e9,
                methods: [timing('naive', 10, null), timing('per-pattern', 5, 0), timing('dilation-grouped', 1, 0.5), timing('aggregated', null, null, 'skipped: too slow'), timing('fft', 20, 1e-6, 'one call only: slow')],
                pick: 'per-pattern',
                best: 'dilation-grouped',
                ratio: 2,
                estimatesMs: null,
              },
            ],
          },
          step: null,
          error: null,
        },
      ],
      [],
    );
    expect(text).toMatch(/rel diff +ref +0 +5\.0e-1 MISMATCH +- +1\.0e-6\n/);
    expect(text).toMatch(/ms +10\.0 +5\.0 +1\.0 +- \(skipped\) +20\.0 \(1 call\)/);
    expect(text).toMatch(/pick per-pattern, naive\/pick 2\.00x, best dilation-grouped \(pick is 5\.00x the best\)/);
    expect(text).toMatch(/aggregated: skipped: too slow/);
  });

  it("takes the detail's first part up to a '; ' outside parentheses", () => {
    expect(headline('tfjs-backend-wasm 4.22.0, threaded SIMD build, 2 threads; gradient fills: Conv2D')).toBe('tfjs-backend-wasm 4.22.0, threaded SIMD build, 2 threads');
    expect(headline('@tensorflow/tfjs-backend-webgpu 4.22.0 on google swiftshader (no description; software adapter, computed on the CPU); gradient fills: Conv2D')).toBe(
      '@tensorflow/tfjs-backend-webgpu 4.22.0 on google swiftshader (no description; software adapter, computed on the CPU)',
    );
    expect(headline('pure JavaScript')).toBe('pure JavaScript');
  });
});

/**
 * webgpu in a Chromium page (the core's BrowserWorkerHost) on SwiftShader, as CI runs it (no GPU there), with the
 * engine page built for this test (PDASH_ENGINE_PAGE), so it runs the page code of this checkout. Chromium is
 * required: CI installs it.
 */
describe('pdash bench on webgpu (SwiftShader, in a Chromium page)', () => {
  let dir: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  let both: CliResult;
  type Layer = { name: string; inputShape: number[]; outputShape: number[]; methods: Array<Timing & { samples: number }> };
  type Run = { requested: string; report: { name: string; threads: number; detail: string }; mixture: { layers: Layer[] }; error: string | null };
  let runs: Run[];

  beforeAll(async () => {
    dir = tempDir();
    env = { PDASH_ENGINE_PAGE: await buildEnginePage(join(dir.path, 'page')), PDASH_WEBGPU_ADAPTER: 'swiftshader' };
    both = await runCli(['bench', 'mixture', '--backend', 'cpu,webgpu', '--layers', 'ecg block1.conv1', '--batch', '1', '--repeats', '1', '--json'], { env });
    runs = (JSON.parse(both.stdout) as { backends: Run[] }).backends;
  }, 90_000);
  afterAll(() => dir?.remove());

  it('runs the smallest layer on cpu in a forked worker and on webgpu in the page, one after the other, with the same layer', () => {
    expect(both.code, both.stderr).toBe(0);
    expect(both.stderr).toMatch(/\[webgpu\] started: 1 thread\(s\); @tensorflow\/tfjs-backend-webgpu [\d.]+ on .*software adapter, computed on the CPU\)\n/);
    expect(both.stderr).toMatch(/\[webgpu\] layer 1\/1: ecg block1\.conv1 1->4 @1000/);
    expect(runs.map((r) => [r.requested, r.report.name, r.error])).toEqual([
      ['cpu', 'cpu', null],
      ['webgpu', 'webgpu', null],
    ]);
    const [cpu, webgpu] = runs.map((r) => r.mixture.layers[0]!);
    expect(webgpu).toMatchObject({ name: cpu!.name, inputShape: [1, 1000, 1], outputShape: [1, 1000, 4] });
    for (const m of webgpu!.methods) {
      expect(m.ms, m.method).toBeGreaterThan(0);
      expect(m.samples, m.method).toBe(1);
    }
  });

  it('on webgpu, every method agrees with naive (output and every gradient) within float32 tolerance', () => {
    // per-pattern adds its 20 terms with one tf.addN: before register.ts's webgpuAddN it read zeros on webgpu.
    const webgpu = runs[1]!.mixture.layers[0]!;
    for (const m of webgpu.methods) {
      if (m.method === 'naive') continue;
      expect(m.maxRelDiff, m.method).toBeLessThan(1e-4);
    }
  });

  it('stopped (Ctrl+C) during its second layer, it keeps the layer the page measured and exits 130', async () => {
    let stdout = '';
    let stderr = '';
    let interrupt: (signal: string) => void = () => {};
    const interrupted = new Promise<string>((resolve) => (interrupt = resolve));
    const code = await main(['bench', 'mixture', '--backend', 'webgpu', '--layers', 'ecg block1.conv1,ecg block1.conv2', '--batch', '1', '--repeats', '1', '--json'], {
      stdout: (t) => (stdout += t),
      stderr: (t) => {
        stderr += t;
        if (t.includes('layer 2/2')) interrupt('SIGINT');
      },
      env,
      cwd: process.cwd(),
      isTTY: false,
      interrupted,
    });
    expect(code, stderr).toBe(130);
    const json = JSON.parse(stdout) as { backends: Array<{ report: { name: string }; error: string; mixture: { partial: boolean; repeats: null; layers: Array<{ name: string }> } }> };
    expect(json.backends[0]).toMatchObject({ report: { name: 'webgpu' }, error: 'interrupted', mixture: { partial: true, repeats: null } });
    expect(json.backends[0]!.mixture.layers.map((l) => l.name)).toEqual(['ecg block1.conv1 1->4 @1000']);
  }, 60_000);
});
