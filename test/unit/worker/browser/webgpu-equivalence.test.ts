/**
 * The engine's numerics on webgpu equal those on cpu: every mixture method (forward, dx, every weight, alpha, bias)
 * and every gradient and kernel fill of src/worker/engine/ops/kernels, computed in one Chromium page on both
 * backends with the same inputs. WebGPU is SwiftShader here (no GPU on CI), started with the browser host's flags.
 *
 * Tolerance: 1e-4 of the cpu result's largest magnitude. Both are float32; the cpu backend itself is within 5e-5 of
 * the float64 naive reference on these ops (ops/mixture-conv.test.ts), and a GPU sums in another order (tiled
 * reductions, fused multiply-add), so two float32 results may differ by twice that. A wrong index or a missing term
 * is off by O(1). tfjs's FFT kernels compute their twiddle factors in the shader, where WGSL's sin and cos are only
 * accurate to an absolute 2^-11 (WebGPU's WGSL spec, "Floating Point Accuracy"), so the checks through tf.spectral
 * (fft-gradients.ts) get 1e-3 (measured: 1.2e-4). The engine's own 'fft' mixture method builds its DFT matrices on
 * the CPU and is held to 1e-4.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumArgs } from '../../../../src/main/core/runs/browser-host.ts';
import { findChromium } from '../../../../src/main/core/export/pdf.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const TOLERANCE = 1e-4;
const SHADER_TRIG_TOLERANCE = 1e-3;
const toleranceOf = (check: string): number => (check.startsWith('rfft') ? SHADER_TRIG_TOLERANCE : TOLERANCE);
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));

interface Outcome {
  backend: string;
  detail: string;
  results: Array<{ name: string; errors: Record<string, number>; webgpuMs: number }>;
}

let dir: ReturnType<typeof tempDir>;
let server: Server;
let browser: Browser;
let outcome: Outcome;

beforeAll(async () => {
  dir = tempDir();
  const outDir = join(dir.path, 'page');
  await build({ root: fixtures, logLevel: 'error', build: { outDir, emptyOutDir: true, minify: false, rolldownOptions: { input: join(fixtures, 'equivalence.html') } } });
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    readFile(join(outDir, path === '/' ? 'equivalence.html' : path)).then(
      (bytes) => {
        response.writeHead(200, { 'Content-Type': extname(path) === '.js' ? 'text/javascript' : 'text/html' });
        response.end(bytes);
      },
      () => {
        response.writeHead(404);
        response.end();
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: findChromium(process.env), args: chromiumArgs(true) });
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  outcome = (await page.evaluate(() => (globalThis as unknown as { pdashEquivalence(): Promise<unknown> }).pdashEquivalence())) as Outcome;
}, 170_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  dir?.remove();
});

describe('webgpu (SwiftShader) equals cpu in a Chromium page', () => {
  it('runs on the webgpu backend of a software adapter', () => {
    expect(outcome.backend).toBe('webgpu');
    expect(outcome.detail).toContain('software adapter');
  });

  it('every mixture method and every gradient/kernel fill is within float32 tolerance of cpu', () => {
    const failures = outcome.results.flatMap((r) => Object.entries(r.errors).filter(([, e]) => !(e <= toleranceOf(r.name))).map(([name, e]) => `${r.name}: ${name} off by ${e}`));
    expect(failures).toEqual([]);
    expect(outcome.results.filter((r) => r.name.startsWith('mixtureConv')).length).toBe(24);
    const worst = outcome.results.map((r) => `${Math.max(...Object.values(r.errors)).toExponential(1)}  ${r.webgpuMs.toFixed(0).padStart(5)} ms  ${r.name}`);
    process.stdout.write(`webgpu vs cpu, max relative error and webgpu time per check:\n${worst.join('\n')}\n`);
  });
});
