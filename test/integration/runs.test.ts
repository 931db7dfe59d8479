import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { RUN_MEMORY_BYTES } from '../../src/main/core/runs/capacity.ts';
import { RunService } from '../../src/main/core/runs/run-service.ts';
import { LabError } from '../../src/shared/errors.ts';
import { runCli } from '../helpers/cli.ts';
import { processGone } from '../helpers/process.ts';
import { nextEvent } from '../helpers/lab-events.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;

beforeEach(() => {
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
});
afterEach(() => {
  core.close();
  dir.remove();
});


function epochRows(runId: number): Array<Record<string, unknown>> {
  return core.db.prepare('SELECT phase, round, trial, epoch, steps, lr, train_loss, val_value FROM run_epochs WHERE run_id = ? ORDER BY phase, round, trial, epoch').all(runId) as Array<Record<string, unknown>>;
}

/** Follows the lab's status events from now on; returns a reader of the most runs that were running at once. */
function peakConcurrency(): () => number {
  let concurrent = 0;
  let peak = 0;
  core.events.subscribe((event, payload) => {
    if (event !== 'runs/status') return;
    const status = (payload as { status: string }).status;
    if (status === 'running') peak = Math.max(peak, ++concurrent);
    else if (status !== 'queued') concurrent -= 1;
  });
  return () => peak;
}

describe('runs in real forked workers', () => {
  it('pdash run --json: a smoke experiment of 2 methods x 2 seeds end to end, with compare', async () => {
    await registerToyDataset(core.datasets);
    const lab = core.paths.root;
    const result = await runCli(['run', '--lab', lab, '--dataset', 'toy', '--methods', 'dash,pdash', '--seeds', '0,1', '--preset', 'smoke', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { experimentId: number; runs: Array<{ id: number; method: string; seed: number; status: string; metric: { name: string; direction: string; value: number }; architecture: Array<{ layer: number; kernel: number; dilation: number }>; seconds: Record<string, number> }> };
    // Seed-major: both methods on seed 0 first.
    expect(report.runs.map((r) => [r.method, r.seed, r.status])).toEqual([['dash', 0, 'done'], ['pdash', 0, 'done'], ['dash', 1, 'done'], ['pdash', 1, 'done']]);
    for (const run of report.runs) {
      expect(run.metric.name).toBe('error');
      expect(run.metric.direction).toBe('minimize');
      expect(run.metric.value).toBeGreaterThanOrEqual(0);
      expect(run.metric.value).toBeLessThanOrEqual(100);
      expect(run.architecture).toHaveLength(9); // the 1-D ResNet's searchable convs
      expect(Object.keys(run.seconds)).toEqual(expect.arrayContaining(['search', 'hp-search', 'retrain', 'test', 'total']));
    }
    const compared = await runCli(['compare', String(report.experimentId), '--lab', lab, '--json']);
    const comparison = JSON.parse(compared.stdout) as { stdKind: string; methods: Array<{ method: string; n: number; mean: number; std: number; flopsSpent: Record<string, number> }>; welch: Array<{ a: string; b: string }> };
    expect(comparison.stdKind).toBe('sample (n - 1)');
    expect(comparison.methods.map((m) => [m.method, m.n])).toEqual([['dash', 2], ['pdash', 2]]);
    const dash = report.runs.filter((r) => r.method === 'dash').map((r) => r.metric.value);
    expect(comparison.methods[0]!.mean).toBeCloseTo((dash[0]! + dash[1]!) / 2, 10);
    expect(comparison.methods[0]!.std).toBeCloseTo(Math.abs(dash[0]! - dash[1]!) / Math.SQRT2, 10);
    expect(comparison.methods[1]!.flopsSpent.search).toBeGreaterThan(0);
    // P-DASH's rounds are in the log: one row per round, each layer with its ranking, kept and pruned patterns.
    const pdashRun = report.runs.find((r) => r.method === 'pdash')!;
    const rounds = core.log.rounds(pdashRun.id);
    expect(rounds.length).toBeGreaterThan(1);
    const firstRound = JSON.parse(rounds[0]!.layers) as Array<{ ranking: unknown[]; kept: unknown[]; pruned: unknown[] }>;
    expect(firstRound).toHaveLength(9);
    expect(firstRound[0]!.kept.length + firstRound[0]!.pruned.length).toBe(firstRound[0]!.ranking.length);
  });

  it('a worker killed with SIGKILL mid-run resumes from its checkpoint: no epoch row lost or duplicated, same result as an uninterrupted run', async () => {
    const dataset = await registerToyDataset(core.datasets);
    // The reference: seed 0, never interrupted.
    const reference = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'reference' });
    const queue = core.runs.startQueue({ experimentId: reference.id });
    await queue.idle();
    const referenceRun = core.runs.run(reference.runs[0]!.id);
    expect(referenceRun.status).toBe('done');

    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'killed' });
    const runId = experiment.runs[0]!.id;
    // Kill right after the first retrain checkpoint: search and HP search are behind it, retraining is not.
    const killedAt = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === runId && p.phase === 'retrain');
    const interrupted = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'interrupted');
    core.runs.startQueue({ experimentId: experiment.id });
    await killedAt;
    const pid = core.log.run(runId).worker_pid!;
    expect(core.log.run(runId).checkpoint).not.toBeNull();
    process.kill(pid, 'SIGKILL');
    const status = await interrupted;
    expect((status.error as { message: string }).message).toContain('SIGKILL');
    const before = epochRows(runId);
    expect(before.length).toBeGreaterThan(0);
    // The killed worker reported its CPU time with each checkpoint; the resumed one adds its own.
    const killedUsage = core.log.usage(runId);
    const killedSeconds = core.runs.run(runId).seconds.total!;
    expect(killedUsage.cpuMs).toBeGreaterThan(0);

    const done = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'done');
    await core.runs.resume(runId);
    await done;
    const after = epochRows(runId);
    // Nothing reported before the kill is lost, and nothing is duplicated (the primary key would refuse it).
    for (const row of before) expect(after).toContainEqual(row);
    expect(new Set(after.map((r) => `${r.phase}/${r.round}/${r.trial}/${r.epoch}`)).size).toBe(after.length);
    expect(after).toEqual(epochRows(referenceRun.id));
    const resumed = core.runs.run(runId);
    expect(resumed.attempts).toBe(2);
    // The second worker's wall covers at least the phase time its attempt added; both attempts are in the sum.
    expect(resumed.cpu!.wallSeconds * 1000).toBeGreaterThanOrEqual(killedUsage.wallMs + (resumed.seconds.total! - killedSeconds) * 1000);
    expect(resumed.cpu!.seconds * 1000).toBeGreaterThan(killedUsage.cpuMs);
    expect(resumed.metric?.value).toBe(referenceRun.metric?.value);
    expect(resumed.archId).toBe(referenceRun.archId);
  });

  it('two experiments queued at once both finish, two runs at a time', async () => {
    const dataset = await registerToyDataset(core.datasets);
    const a = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [3], preset: 'smoke' });
    const b = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [4], preset: 'smoke' });
    const maxConcurrent = peakConcurrency();
    await core.runs.startQueue({ concurrency: 2 }).idle();
    expect(core.runs.experiment(a.id).runs[0]!.status).toBe('done');
    expect(core.runs.experiment(b.id).runs[0]!.status).toBe('done');
    expect(maxConcurrent()).toBe(2);
  });

  it('without a concurrency the queue takes what the machine can (wasm: a run per core, one thread each), and each run records its workers\' CPU time', async () => {
    const dataset = await registerToyDataset(core.datasets);
    // This lab's log and workers, on a machine of 2 cores with room for 2 runs.
    const service = new RunService({ log: core.log, datasets: core.datasets, host: core.workerHost, paths: core.paths, events: core.events, compute: async () => ({ ...(await core.compute()), preferred: 'wasm' as const }), machine: () => ({ cores: 2, freeMemory: 2 * RUN_MEMORY_BYTES }) });
    const experiment = service.create({ dataset: dataset.id, methods: ['backbone'], seeds: [0, 1], preset: 'smoke' });
    const maxConcurrent = peakConcurrency();
    const started = performance.now();
    const queue = service.startQueue({ experimentId: experiment.id });
    expect(await queue.ready).toEqual({ concurrency: 2, threads: 1, cores: 2, backend: 'wasm', limitedBy: 'cores' });
    await queue.idle();
    const elapsedSeconds = (performance.now() - started) / 1000;
    expect(maxConcurrent()).toBe(2);
    for (const { id } of experiment.runs) {
      const run = service.run(id);
      expect(run.status).toBe('done');
      // The worker's own report: the wasm backend started with the one thread it was given (2 without it here).
      expect([run.backend, run.threads]).toEqual(['wasm', 1]);
      const cpu = run.cpu!;
      // The worker's wall spans its phases and lies inside this test's; one busy thread keeps about one core busy.
      expect(cpu.wallSeconds).toBeGreaterThanOrEqual(run.seconds.total!);
      expect(cpu.wallSeconds).toBeLessThanOrEqual(elapsedSeconds);
      expect(cpu.seconds).toBeGreaterThan(0);
      expect(cpu.seconds).toBeLessThan(2 * cpu.wallSeconds);
    }
    service.close();
  });

  it('pdash run prints how many runs go at a time and threads each, and each run\'s CPU time / wall', async () => {
    await registerToyDataset(core.datasets);
    const result = await runCli(['run', '--lab', core.paths.root, '--dataset', 'toy', '--methods', 'backbone', '--seeds', '0', '--preset', 'smoke', '--concurrency', '1']);
    expect(result.code).toBe(0);
    const cores = availableParallelism();
    expect(result.stderr).toContain(`\n1 run at a time, ${cores} thread${cores === 1 ? '' : 's'} each (${cores} core${cores === 1 ? '' : 's'}, --concurrency).\n`);
    const run = core.runs.experiments(0, 1).items[0]!.runs[0]!;
    expect(run.threads).toBe(Math.min(cores, 8));
    expect(result.stdout).toContain(`  run ${run.id}: CPU time / wall = ${(run.cpu!.seconds / run.cpu!.wallSeconds).toFixed(2)} (threads ${run.threads}): `);
  });

  it('cancel stops a running run at its next step and a queued one before it starts', async () => {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [5, 6], preset: 'smoke' });
    const [first, second] = experiment.runs;
    const started = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === first!.id);
    const queue = core.runs.startQueue({ experimentId: experiment.id, concurrency: 1 });
    await started;
    expect(core.runs.cancel(second!.id).status).toBe('cancelled');
    core.runs.cancel(first!.id);
    await queue.idle();
    expect(core.runs.run(first!.id).status).toBe('cancelled');
    expect(core.runs.run(second!.id).attempts).toBe(0);
  });

  it('refuses a malformed experiment at the boundary, naming the field', async () => {
    await registerToyDataset(core.datasets);
    const error = await core.request('experiments/create', { dataset: 'toy', methods: ['nas'], seeds: [0] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('bad-request');
    expect((error as LabError).message).toContain('methods.0');
    const repeated = await core.request('experiments/create', { dataset: 'toy', methods: ['dash'], seeds: [1, 1] }).catch((e: unknown) => e);
    expect((repeated as LabError).message).toContain('seeds must not repeat');
    expect(core.runs.experiments(0, 10).total).toBe(0);
  });
});

describe('removing', () => {
  it('keeps a dataset that an experiment used, and removes an experiment with its runs and files', async () => {
    const { existsSync } = await import('node:fs');
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke' });
    await core.runs.startQueue({ experimentId: experiment.id }).idle();
    const runId = experiment.runs[0]!.id;
    expect(existsSync(join(core.paths.runs, String(runId), 'checkpoint.pdck'))).toBe(true);

    const refused = await core.request('datasets/remove', { dataset: dataset.id }).catch((e: unknown) => e as LabError);
    expect((refused as LabError).code).toBe('conflict');
    expect((refused as LabError).message).toContain(`used by experiment ${experiment.id}`);

    await core.request('experiments/remove', { experiment: experiment.id });
    expect(existsSync(join(core.paths.runs, String(runId)))).toBe(false);
    expect(core.db.prepare('SELECT count(*) FROM run_epochs').pluck().get()).toBe(0);
    await core.request('datasets/remove', { dataset: dataset.id });
    expect(core.datasets.list().total).toBe(0);
  });
});

describe('closing a lab with work in progress', () => {
  it('stops taking runs, kills running workers and leaves their runs interrupted, without touching the closed database', async () => {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [7, 8], preset: 'smoke' });
    const started = nextEvent(core, (event, p) => event === 'runs/checkpoint' && p.runId === experiment.runs[0]!.id);
    core.runs.startQueue({ experimentId: experiment.id, concurrency: 1 });
    await started;
    const labDir = core.paths.root;
    const pid = core.log.run(experiment.runs[0]!.id).worker_pid!;
    core.close();
    // The worker is gone (the kill was sent before the database closed).
    await processGone(pid);
    core = LabCore.open({ labDir, frontDoor: 'cli' });
    expect(core.runs.run(experiment.runs[0]!.id).status).toBe('interrupted');
    expect(core.runs.run(experiment.runs[1]!.id).status).toBe('queued');
  });
});
