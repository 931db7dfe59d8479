/**
 * Runs through BrowserWorkerHost: the engine page in headless Chromium, fed by the host's data server, writing its
 * checkpoints through it, paused and resumed, against the same runs in forked Node workers. Chromium is required:
 * CI installs it, and a machine without it fails here saying what to install.
 *
 * The page runs on the cpu backend here, so that page and Node worker compute the same numbers (the same
 * JavaScript kernels: the results must be equal, not close). The webgpu backend itself is checked op by op in
 * test/unit/worker/browser/webgpu-equivalence.test.ts; whole runs on it wait for the engine's synchronous reads
 * (dataSync) to become asynchronous, which headless SwiftShader cannot serve (see browser-host.ts).
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { BrowserWorkerHost } from '../../src/main/core/runs/browser-host.ts';
import type { WorkerExit } from '../../src/main/core/runs/worker-host.ts';
import type { FromWorker } from '../../src/worker/index.ts';
import { RunService } from '../../src/main/core/runs/run-service.ts';
import type { DatasetSummary } from '../../src/shared/contract/datasets.ts';
import { nextEvent } from '../helpers/lab-events.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';
import { buildEnginePage } from '../unit/worker/browser/engine-page-build.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;
let browserHost: BrowserWorkerHost;
/** Every run in a Chromium page. */
let inPage: RunService;
/** Every run in a forked Node worker. */
let inNode: RunService;
let dataset: DatasetSummary;

beforeAll(async () => {
  dir = tempDir();
  const pageDir = await buildEnginePage(join(dir.path, 'page'));
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
  browserHost = new BrowserWorkerHost({ pageDir, env: { ...process.env, PDASH_WEBGPU_ADAPTER: 'swiftshader' } });
  const common = { log: core.log, datasets: core.datasets, paths: core.paths, events: core.events, compute: () => core.compute() };
  inPage = new RunService({ ...common, host: browserHost });
  inNode = new RunService({ ...common, host: core.workerHost });
  dataset = await registerToyDataset(core.datasets);
});
afterAll(async () => {
  inPage?.close();
  inNode?.close();
  await browserHost?.close();
  core?.close();
  dir?.remove();
});

/** Smoke with one HP trial: enough phases (search, HP search, retrain, test) and checkpoints to pause between. */
const overrides = { hpSearch: { grid: { lr: [0.1], dropout: [0], weightDecay: [5e-4], momentum: [0.9] } } };

/** Starts a worker, probes it once it is ready, shuts it down after `until`, and collects its messages until it exits. */
function converse(host: BrowserWorkerHost, until: (message: FromWorker) => boolean): Promise<{ messages: FromWorker[]; exit: WorkerExit }> {
  const worker = host.start({ name: 'probe' });
  const messages: FromWorker[] = [];
  return new Promise((done) => {
    worker.onMessage((message) => {
      messages.push(message);
      if (message.type === 'ready') worker.send({ type: 'probe' });
      if (until(message)) worker.send({ type: 'shutdown' });
    });
    worker.onExit((exit) => done({ messages, exit }));
  });
}

describe('the engine page as a worker', () => {
  it('answers a probe with webgpu on the SwiftShader adapter and cpu, each timed, then shuts down', async () => {
    const { messages, exit } = await converse(browserHost, (m) => m.type === 'probe-result');
    expect(messages[0]).toEqual({ type: 'ready', pid: 0 });
    const result = messages.find((m) => m.type === 'probe-result');
    if (result?.type !== 'probe-result') throw new Error(`no probe result: ${JSON.stringify(messages)}`);
    const webgpu = result.probe.backends.find((b) => b.name === 'webgpu')!;
    expect(webgpu).toMatchObject({ available: true });
    expect(webgpu.detail).toMatch(/^@tensorflow\/tfjs-backend-webgpu 4\.22\.0 on .*software adapter/);
    expect(webgpu.probeMs).toBeGreaterThan(0);
    expect(result.probe.backends.map((b) => b.name)).toEqual(['webgpu', 'cpu']);
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('without a Chromium, a worker fails with an error that says what to install', async () => {
    const host = new BrowserWorkerHost({ env: { PDASH_CHROMIUM: join(dir.path, 'no-chromium') } });
    const { messages, exit } = await converse(host, () => false);
    await host.close();
    expect(messages).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'unavailable', hint: expect.stringContaining('apt-get install chromium') }) }]);
    expect(exit).toEqual({ code: 1, signal: null });
  });
});

describe('runs in a Chromium page (BrowserWorkerHost)', () => {
  it('DASH and P-DASH end in the page with checkpoints written, as in a Node worker', async () => {
    const page = inPage.create({ dataset: dataset.id, methods: ['dash', 'pdash'], seeds: [0], preset: 'smoke', overrides, backend: 'cpu' });
    const node = inNode.create({ dataset: dataset.id, methods: ['dash', 'pdash'], seeds: [0], preset: 'smoke', overrides, backend: 'cpu' });
    await inPage.startQueue({ experimentId: page.id, concurrency: 1 }).idle();
    await inNode.startQueue({ experimentId: node.id, concurrency: 1 }).idle();
    for (const [i, { id }] of page.runs.entries()) {
      const run = inPage.run(id);
      expect(run.status, JSON.stringify(run.error)).toBe('done');
      expect(run.backend).toBe('cpu');
      const checkpoint = join(core.paths.runs, String(id), 'checkpoint.pdck');
      expect(existsSync(checkpoint)).toBe(true);
      expect(statSync(checkpoint).size).toBeGreaterThan(0);
      // The page's main-thread task time (CDP) and wall, reported with each checkpoint and at the end.
      expect(run.cpu!.seconds).toBeGreaterThan(0);
      expect(run.cpu!.wallSeconds).toBeGreaterThanOrEqual(run.cpu!.seconds * 0.5);
      const reference = inNode.run(node.runs[i]!.id);
      expect(reference.status).toBe('done');
      expect([run.method, run.metric?.value, run.archId]).toEqual([reference.method, reference.metric?.value, reference.archId]);
      expect(core.log.rounds(id).length).toBe(core.log.rounds(reference.id).length);
    }
  });

  it('a paused run resumes from its checkpoint in a new page and ends as the uninterrupted one', async () => {
    const reference = inPage.create({ dataset: dataset.id, methods: ['dash'], seeds: [1], preset: 'smoke', overrides, backend: 'cpu' });
    await inPage.startQueue({ experimentId: reference.id }).idle();
    const uninterrupted = inPage.run(reference.runs[0]!.id);
    expect(uninterrupted.status).toBe('done');

    const experiment = inPage.create({ dataset: dataset.id, methods: ['dash'], seeds: [1], preset: 'smoke', overrides, backend: 'cpu' });
    const runId = experiment.runs[0]!.id;
    const firstCheckpoint = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === runId);
    const paused = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'paused');
    const queue = inPage.startQueue({ experimentId: experiment.id });
    await firstCheckpoint;
    inPage.pause(runId);
    await paused;
    await queue.idle();
    expect(inPage.run(runId).status).toBe('paused');
    const done = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'done');
    await inPage.resume(runId);
    await done;
    const resumed = inPage.run(runId);
    expect(resumed.attempts).toBe(2);
    expect(resumed.metric?.value).toBe(uninterrupted.metric?.value);
    expect(resumed.archId).toBe(uninterrupted.archId);
  });

  it('a page that is killed mid-run leaves its run interrupted, and the browser serves the next run', async () => {
    const experiment = inPage.create({ dataset: dataset.id, methods: ['dash'], seeds: [2], preset: 'smoke', overrides, backend: 'cpu' });
    const runId = experiment.runs[0]!.id;
    // As runs.test.ts kills a forked worker: right after the first retrain checkpoint.
    const started = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === runId && p.phase === 'retrain');
    const interrupted = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status !== 'running');
    inPage.startQueue({ experimentId: experiment.id });
    await started;
    // What the supervisor does to a worker that must go: the page is closed under the run.
    const active = (inPage as unknown as { supervisor: { active: Map<number, { worker: { kill(): void } }> } }).supervisor.active.get(runId)!;
    active.worker.kill();
    const status = await interrupted;
    expect(status.status).toBe('interrupted');
    expect((status.error as { message: string }).message).toContain('before finishing');
    const ended = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status !== 'running' && p.status !== 'queued');
    await inPage.resume(runId);
    expect((await ended).status).toBe('done');
  });
});
