/**
 * A run's configuration is resolved once, when its experiment is created, and stored with the run (issue #11):
 * the worker is sent what is stored, and the monitor's run detail, the experiment summary and the report show
 * it, even after a preset changes. Runs of an older lab (preset and overrides stored) still show and start.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectReportData } from '../../src/main/core/export/report-data.ts';
import { LabCore } from '../../src/main/core/lab-core.ts';
import type { WorkerHost, WorkerProcess } from '../../src/main/core/runs/worker-host.ts';
import { PRESETS, resolveConfig, type RunConfig } from '../../src/shared/engine/index.ts';
import type { FromWorker, RunJob, ToWorker } from '../../src/worker/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

/** A worker host whose workers run nothing: each says it is ready, records the job it is sent and ends it done. */
class RecordingHost implements WorkerHost {
  readonly kind = 'fork';
  readonly jobs: RunJob[] = [];

  start(): WorkerProcess {
    const messageListeners = new Set<(message: FromWorker) => void>();
    const exitListeners = new Set<(exit: { code: number | null; signal: string | null }) => void>();
    const say = (message: FromWorker): void => queueMicrotask(() => messageListeners.forEach((l) => l(message)));
    say({ type: 'ready', pid: 1 });
    return {
      pid: undefined,
      send: (message: ToWorker) => {
        // The lab probes the backends once to choose how many runs go at a time.
        if (message.type === 'probe') say({ type: 'probe-result', probe: { backends: [], preferred: 'wasm', tfjsVersion: 'none' } });
        else if (message.type === 'run') {
          this.jobs.push(structuredClone(message.job));
          say({ type: 'run-end', status: 'done' });
        } else if (message.type === 'shutdown') {
          queueMicrotask(() => exitListeners.forEach((l) => l({ code: 0, signal: null })));
        }
      },
      onMessage: (listener) => {
        messageListeners.add(listener);
        return () => messageListeners.delete(listener);
      },
      onExit: (listener) => {
        exitListeners.add(listener);
        return () => exitListeners.delete(listener);
      },
      kill: () => undefined,
    };
  }
}

let dir: ReturnType<typeof tempDir>;
let host: RecordingHost;
let core: LabCore;

beforeEach(() => {
  dir = tempDir();
  host = new RecordingHost();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli', workerHost: host });
});
afterEach(() => {
  core.close();
  dir.remove();
});

describe('the configuration stored at creation', () => {
  it('is the request resolved once, and what the worker is sent and the monitor, the summary and the report show, whatever the preset says later', async () => {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash', 'pdash'], seeds: [0], preset: 'smoke', selection: 'perturbation', pdash: { roundEpochs: 3 }, kernels: [3, 7] });
    // What the request asked for: the smoke preset, perturbation selection, 3 epochs per round, kernels 3 and 7 with
    // the 1-D task's default dilations filled in by the core (it knows the dataset's rank).
    const expected: RunConfig = resolveConfig('smoke', { selection: 'perturbation', pdash: { roundEpochs: 3 }, search: { grid: { kernels: [3, 7], dilations: [1, 3, 7, 15] } } });
    expect(core.log.runsOf(experiment.id).map((row) => JSON.parse(row.config) as unknown)).toEqual([expected, expected]);

    // The presets change after the experiment was created (a new lab version, say): nothing of these runs may.
    const smoke = PRESETS.smoke;
    const before = { epochs: smoke.search.epochs, rounds: smoke.pdash.rounds, retrain: smoke.retrain.epochs };
    smoke.search.epochs = 40;
    smoke.pdash.rounds = 3;
    smoke.retrain.epochs = 50;
    try {
      for (const run of experiment.runs) expect(core.runs.runDetail(run.id).config).toEqual(expected);
      expect(core.runs.experiment(experiment.id).config).toEqual(expected);
      expect(collectReportData(core, { experiment: experiment.id }).experiments[0]!.engine).toEqual(expected);

      const queue = core.runs.startQueue({ experimentId: experiment.id });
      await queue.idle();
      expect(host.jobs.map((job) => [job.method, job.config])).toEqual([
        ['dash', expected],
        ['pdash', expected],
      ]);
    } finally {
      smoke.search.epochs = before.epochs;
      smoke.pdash.rounds = before.rounds;
      smoke.retrain.epochs = before.retrain;
    }
  });

  it('of a run created by an older lab (its preset and overrides) is resolved once on read: it shows and starts as its worker then resolved it', async () => {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['pdash'], seeds: [0], preset: 'smoke' });
    const runId = experiment.runs[0]!.id;
    // What RunService.create stored before the resolved configuration was.
    const overrides = { selection: 'argmax', pdash: { schedule: [4, 1] }, retrain: { epochs: 2 } } as const;
    core.db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify({ preset: 'smoke', overrides, method: 'pdash', selection: 'argmax' }), runId);
    const resolved = resolveConfig('smoke', structuredClone(overrides) as never);

    expect(core.runs.runDetail(runId).config).toEqual(resolved);
    expect(core.runs.experiment(experiment.id).config).toEqual(resolved);
    const queue = core.runs.startQueue({ experimentId: experiment.id });
    await queue.idle();
    expect(host.jobs.map((job) => job.config)).toEqual([resolved]);
  });

  it("of an older lab's run that this lab cannot resolve still shows (without a configuration), and starting it fails naming why", async () => {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke' });
    const runId = experiment.runs[0]!.id;
    core.db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify({ preset: 'smoke', overrides: { search: { epoch: 3 } } }), runId);

    expect(core.runs.runDetail(runId).config).toBeNull();
    expect(core.runs.experiment(experiment.id).config).toBeNull();
    expect(collectReportData(core, { experiment: experiment.id }).experiments[0]!.engine).toBeNull();
    const queue = core.runs.startQueue({ experimentId: experiment.id });
    await queue.idle();
    expect(host.jobs).toEqual([]);
    expect(core.runs.run(runId)).toMatchObject({ status: 'failed', error: { code: 'bad-request', message: `Run ${runId}: config: unknown setting search.epoch` } });
  });
});

describe('a real worker', () => {
  it('runs the stored configuration as it is: one made invalid in the log after creation fails in the worker, naming the stored setting', async () => {
    const forked = LabCore.open({ labDir: join(dir.path, 'forked'), frontDoor: 'cli' });
    try {
      const dataset = await registerToyDataset(forked.datasets);
      const experiment = forked.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke' });
      const runId = experiment.runs[0]!.id;
      // The smoke preset retrains 3 epochs; a worker that resolved the preset again would not see this.
      const stored = JSON.parse(forked.log.run(runId).config) as RunConfig;
      forked.db.prepare('UPDATE runs SET config = ? WHERE id = ?').run(JSON.stringify({ ...stored, retrain: { ...stored.retrain, epochs: 0 } }), runId);
      await forked.runs.startQueue({ experimentId: experiment.id }).idle();
      expect(forked.runs.run(runId)).toMatchObject({ status: 'failed', error: { code: 'bad-request', message: `Run ${runId}: config: retrain.epochs must be a positive integer, got 0` } });
    } finally {
      forked.close();
    }
  });
});
