/**
 * Whole runs on the webgpu backend: DASH and P-DASH in the engine page through BrowserWorkerHost, on SwiftShader
 * (CI machines have no GPU), routed there as the lab routes them (the fork host for everything else, the browser
 * host for webgpu), against the same runs on cpu in forked Node workers; and a webgpu run paused and resumed in a
 * new page that ends as the uninterrupted one. Chromium is required: CI installs it, and a machine without it fails
 * here saying what to install.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { BrowserWorkerHost } from '../../src/main/core/runs/browser-host.ts';
import { RunService } from '../../src/main/core/runs/run-service.ts';
import type { DatasetSummary } from '../../src/shared/contract/datasets.ts';
import { nextEvent } from '../helpers/lab-events.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';
import { buildEnginePage } from '../unit/worker/browser/engine-page-build.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;
let browserHost: BrowserWorkerHost;
let service: RunService;
let dataset: DatasetSummary;
/** The first test's uninterrupted webgpu DASH run (seed 0), which the paused one must end as. */
let uninterruptedDash: number | null = null;

beforeAll(async () => {
  dir = tempDir();
  const pageDir = await buildEnginePage(join(dir.path, 'page'));
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
  browserHost = new BrowserWorkerHost({ pageDir, env: { ...process.env, PDASH_WEBGPU_ADAPTER: 'swiftshader' } });
  service = new RunService({ log: core.log, datasets: core.datasets, paths: core.paths, events: core.events, compute: () => core.compute(), host: core.workerHost, hostFor: () => browserHost });
  dataset = await registerToyDataset(core.datasets);
});
afterAll(async () => {
  service?.close();
  await browserHost?.close();
  core?.close();
  dir?.remove();
});

/**
 * Smoke with one HP trial (SwiftShader computes WebGPU on the CPU, slowly), and one mixture method for both backends:
 * left to the cost model, each backend picks its own per layer (webgpu has no constants of its own and borrows
 * wasm's), so after P-DASH's pruning the two compute the same mixture by different algorithms and the step-for-step
 * check below would compare algorithms, not backends. Every method is checked against every other on webgpu in
 * webgpu-equivalence.test.ts.
 */
const overrides = { search: { mixtureMethod: 'dilation-grouped' }, hpSearch: { grid: { lr: [0.1], dropout: [0], weightDecay: [5e-4], momentum: [0.9] } } };
/**
 * The smoke test split has 16 samples, so the error moves in steps of 6.25 points. float32 sums in another order
 * can flip a nearly tied alpha (2 search epochs decide little) and so the chosen architecture: the outcome is held
 * within two test samples of cpu's, not to equality (page and Node on the same backend are equal:
 * webgpu-runs.test.ts).
 */
const OUTCOME_TOLERANCE = 12.5;
/** Relative to the largest value: float32 on both backends, summed in other orders over 2 search epochs. */
const SEARCH_TOLERANCE = 1e-3;
/** Search-phase training losses per epoch, every round. */
function searchLosses(runId: number): number[] {
  return service.runDetail(runId).epochs.filter((e) => e.phase === 'search').map((e) => e.trainLoss ?? NaN);
}

/** Every alpha snapshot, flattened. */
function alphas(runId: number): number[] {
  return service.runDetail(runId).alpha.flatMap((a) => a.layers.flatMap((l) => l.alpha));
}

function expectClose(what: string, got: number[], want: number[], context: string): void {
  expect(got.length, `${what} of ${context}`).toBe(want.length);
  expect(got.length, `${what} of ${context}`).toBeGreaterThan(0);
  const scale = Math.max(1e-6, ...want.map(Math.abs));
  const worst = Math.max(...got.map((v, k) => Math.abs(v - want[k]!) / scale));
  expect(worst, `${what} of ${context}: ${JSON.stringify(got.slice(0, 6))} vs ${JSON.stringify(want.slice(0, 6))}`).toBeLessThan(SEARCH_TOLERANCE);
}

describe('runs on webgpu (SwiftShader) in a Chromium page', () => {
  it('DASH and P-DASH end on webgpu with checkpoints written, within tolerance of the same runs on cpu in a Node worker', async () => {
    const webgpu = service.create({ dataset: dataset.id, methods: ['dash', 'pdash'], seeds: [0], preset: 'smoke', overrides, backend: 'webgpu' });
    const cpu = service.create({ dataset: dataset.id, methods: ['dash', 'pdash'], seeds: [0], preset: 'smoke', overrides, backend: 'cpu' });
    await service.startQueue({ concurrency: 1 }).idle();
    uninterruptedDash = webgpu.runs[0]!.id;
    for (const [i, { id }] of webgpu.runs.entries()) {
      const run = service.run(id);
      expect(run.status, JSON.stringify(run.error)).toBe('done');
      expect(run.backend).toBe('webgpu');
      expect(existsSync(join(core.paths.runs, String(id), 'checkpoint.pdck'))).toBe(true);
      expect(core.log.run(id).checkpoint).not.toBeNull();
      const reference = service.run(cpu.runs[i]!.id);
      expect([reference.status, reference.backend]).toEqual(['done', 'cpu']);
      expect(run.architecture).toHaveLength(reference.architecture!.length);
      expect(Math.abs(run.metric!.value - reference.metric!.value)).toBeLessThanOrEqual(OUTCOME_TOLERANCE);
      // The search itself, step for step: each search epoch's training loss and every alpha snapshot as on cpu, within
      // float32 tolerance, P-DASH's later rounds included (a kernel that computes nothing, such as webgpu's AddN of more
      // than 7 inputs did inside gradient clipping, moves these long before it moves the outcome).
      for (const [what, got, want] of [['search losses', searchLosses(id), searchLosses(reference.id)], ['alphas', alphas(id), alphas(reference.id)]] as const) {
        expectClose(what, got, want, `run ${id} (webgpu) against run ${reference.id} (cpu)`);
      }
      if (i === 1) expect(new Set(service.runDetail(id).alpha.map((a) => a.round)).size, 'P-DASH snapshots of more than one round').toBeGreaterThan(1);
    }
  });

  it('a webgpu run paused at its first checkpoint resumes in a new page and ends as the uninterrupted one', async () => {
    expect(uninterruptedDash, 'the first test ran the uninterrupted DASH run').not.toBeNull();
    const uninterrupted = service.run(uninterruptedDash!);
    const experiment = service.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke', overrides, backend: 'webgpu' });
    const runId = experiment.runs[0]!.id;
    const firstCheckpoint = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === runId);
    const paused = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'paused');
    const queue = service.startQueue({ experimentId: experiment.id });
    await firstCheckpoint;
    service.pause(runId);
    await paused;
    await queue.idle();
    const done = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && (p.status === 'done' || p.status === 'failed'));
    await service.resume(runId);
    expect((await done).status).toBe('done');
    const resumed = service.run(runId);
    expect([resumed.attempts, resumed.backend]).toEqual([2, 'webgpu']);
    expect(resumed.metric?.value).toBe(uninterrupted.metric?.value);
    expect(resumed.archId).toBe(uninterrupted.archId);
  });
});
