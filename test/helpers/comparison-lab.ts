/**
 * A lab holding a finished DASH vs P-DASH experiment written straight into the experiment log (real SQLite,
 * no worker): the engine runs only DASH today, and comparison screens and exports must be exercised with
 * several methods. Every number is fixed, so tables built from it can be checked to the character.
 */
import { join } from 'node:path';
import { memoryArraySource } from '../../src/array-io/array-source.ts';
import { LabCore } from '../../src/main/core/lab-core.ts';
import type { Method } from '../../src/shared/contract/index.ts';
import type { DatasetSummary } from '../../src/shared/contract/datasets.ts';
import { archId, resolveConfig, type ArchitectureSpec, type EngineEvent, type RunConfig } from '../../src/shared/engine/index.ts';

export interface FixtureRun {
  method: Method;
  seed: number;
  /** Test error %; absent: the run has not finished (it stays queued). */
  metric?: number;
  /** (k, d) of the 9 searchable layers of the 1-D ResNet. */
  layers: Array<[number, number]>;
  /** Wall seconds per phase. */
  seconds: Record<'search' | 'hp-search' | 'retrain' | 'test', number>;
  retrainLoss: number[];
  retrainValidation: number[];
  /** Supernet train loss per search epoch, per round (P-DASH has several rounds). */
  searchLoss: number[][];
}

const L = (text: string): Array<[number, number]> => text.split(' ').map((p) => p.split('/').map(Number) as [number, number]);

export const FIXTURE_RUNS: readonly FixtureRun[] = [
  { method: 'dash', seed: 0, metric: 6.9, layers: L('3/1 5/1 7/3 3/1 5/3 7/1 3/1 5/1 3/7'), seconds: { search: 40, 'hp-search': 20, retrain: 30, test: 1 }, retrainLoss: [1.2, 0.9, 0.7], retrainValidation: [9, 8, 7.5], searchLoss: [[1.5, 1.3, 1.2, 1.1]] },
  { method: 'pdash', seed: 0, metric: 5.9, layers: L('3/1 5/1 7/3 3/1 5/1 7/1 3/1 5/1 3/7'), seconds: { search: 60, 'hp-search': 20, retrain: 30, test: 1 }, retrainLoss: [1.1, 0.8, 0.6], retrainValidation: [8, 7, 6.5], searchLoss: [[1.5, 1.3], [1.2, 1.1], [1.0, 0.95]] },
  { method: 'dash', seed: 1, metric: 6.3, layers: L('3/1 5/1 7/3 3/3 5/3 7/1 3/1 5/1 3/7'), seconds: { search: 42, 'hp-search': 22, retrain: 31, test: 1 }, retrainLoss: [1.3, 1.0, 0.8], retrainValidation: [9.5, 8.5, 7], searchLoss: [[1.6, 1.4, 1.25, 1.15]] },
  { method: 'pdash', seed: 1, metric: 5.8, layers: L('3/1 5/1 7/3 3/1 5/1 7/1 3/1 5/3 3/7'), seconds: { search: 62, 'hp-search': 21, retrain: 29, test: 1 }, retrainLoss: [1.0, 0.8, 0.65], retrainValidation: [8.5, 7.2, 6.4], searchLoss: [[1.55, 1.35], [1.25, 1.1], [1.0, 0.9]] },
  { method: 'dash', seed: 2, metric: 6.6, layers: L('3/1 5/1 7/1 3/1 5/3 7/1 3/1 5/1 3/7'), seconds: { search: 41, 'hp-search': 21, retrain: 32, test: 1 }, retrainLoss: [1.25, 0.95, 0.75], retrainValidation: [9.2, 8.1, 7.2], searchLoss: [[1.55, 1.35, 1.22, 1.12]] },
  { method: 'pdash', seed: 2, metric: 6.0, layers: L('3/1 5/1 7/3 3/1 5/1 7/1 3/1 5/1 3/7'), seconds: { search: 61, 'hp-search': 20, retrain: 31, test: 1 }, retrainLoss: [1.05, 0.85, 0.62], retrainValidation: [8.2, 7.1, 6.6], searchLoss: [[1.52, 1.33], [1.22, 1.08], [1.0, 0.92]] },
];

/** A pending run beside the finished ones: queued, so it counts in `pending` and nowhere else. */
export const PENDING_RUN: FixtureRun = { method: 'dash', seed: 3, layers: [], seconds: { search: 0, 'hp-search': 0, retrain: 0, test: 0 }, retrainLoss: [], retrainValidation: [], searchLoss: [] };

function toySplit(n: number, offset: number) {
  const x = new Float32Array(n * 32);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let t = 0; t < 32; t++) x[i * 32 + t] = Math.sin(t * (y[i] === 1 ? 0.9 : 0.3) + offset + i);
  }
  return { x: memoryArraySource(`fixture-x-${offset}`, x, [n, 32, 1], 'float32'), y: memoryArraySource(`fixture-y-${offset}`, y, [n], 'int32') };
}

export function fixtureSpec(layers: Array<[number, number]>): ArchitectureSpec {
  return { backbone: 'resnet1d', rank: 1, inChannels: 1, outputs: 2, baseChannels: 4, padding: 'causal', layers: layers.map(([kernel, dilation], layer) => ({ layer, kernel, dilation })) };
}

export function eventsOf(run: FixtureRun): EngineEvent[] {
  const events: EngineEvent[] = [];
  const phase = (name: 'search' | 'hp-search' | 'retrain' | 'test', round: number | null, seconds: number, body: () => void) => {
    events.push({ type: 'phase-start', phase: name, round, epochs: 0, stepsPerEpoch: 1, totalSteps: 1 });
    body();
    events.push({ type: 'phase-end', phase: name, round, steps: 10, wallMs: seconds * 1000, flops: seconds * 1e9 });
  };
  const rounds = run.searchLoss.length;
  run.searchLoss.forEach((losses, r) => {
    const round = rounds > 1 ? r + 1 : null;
    phase('search', round, run.seconds.search / rounds, () => {
      losses.forEach((loss, epoch) => events.push({ type: 'epoch', phase: 'search', round, trial: null, epoch, epochs: losses.length, steps: 5, lr: 0.1, trainLoss: loss, validation: null, wallMs: 100 }));
      events.push({
        type: 'alpha',
        round,
        epoch: losses.length - 1,
        layers: run.layers.map(([kernel, dilation], layer) => ({ layer, name: `block${Math.floor(layer / 3) + 1}.conv${(layer % 3) + 1}`, patterns: [{ kernel, dilation }], alpha: [0.1], softmax: [1] })),
      });
    });
  });
  phase('hp-search', null, run.seconds['hp-search'], () => {
    events.push({ type: 'epoch', phase: 'hp-search', round: null, trial: 0, epoch: 0, epochs: 1, steps: 5, lr: 0.1, trainLoss: 2, validation: { name: 'error', direction: 'minimize', value: 20 }, wallMs: 50 });
    events.push({ type: 'hp-trial', trial: 0, trials: 1, hp: { lr: 0.1, dropout: 0, weightDecay: 5e-4, momentum: 0.9 }, validation: { name: 'error', direction: 'minimize', value: 20 }, diverged: false, wallMs: 50 });
  });
  const spec = fixtureSpec(run.layers);
  events.push({ type: 'architecture', selection: 'argmax', spec, archId: archId(spec), parameters: 1000 + run.seed, flops: 2e6 });
  phase('retrain', null, run.seconds.retrain, () => {
    run.retrainLoss.forEach((loss, epoch) =>
      events.push({ type: 'epoch', phase: 'retrain', round: null, trial: null, epoch, epochs: run.retrainLoss.length, steps: 5, lr: 0.01, trainLoss: loss, validation: { name: 'error', direction: 'minimize', value: run.retrainValidation[epoch]! }, wallMs: 100 }),
    );
  });
  phase('test', null, run.seconds.test, () => {});
  events.push({ type: 'result', metric: { name: 'error', direction: 'minimize', value: run.metric! }, validation: { name: 'error', direction: 'minimize', value: Math.min(...run.retrainValidation) }, bestEpoch: 2, archId: archId(spec), spec, hp: { lr: 0.1, dropout: 0, weightDecay: 5e-4, momentum: 0.9 }, parameters: 1000, flops: 2e6, wallMs: 1 });
  return events;
}

export interface ComparisonLab {
  core: LabCore;
  dataset: DatasetSummary;
  experimentId: number;
  /** Run ids in FIXTURE_RUNS order (then the pending run when asked for). */
  runIds: number[];
}

/**
 * Opens a lab in `dir` with a dataset (standing for `publishedTask` when given) and a finished DASH vs P-DASH
 * experiment over seeds 0, 1, 2; `pending: true` adds a queued DASH run for seed 3.
 */
export async function openComparisonLab(dir: string, options: { publishedTask?: DatasetSummary['publishedTask']; pending?: boolean; name?: string } = {}): Promise<ComparisonLab> {
  const core = LabCore.open({ labDir: join(dir, 'lab'), frontDoor: 'cli' });
  const dataset = await core.datasets.register({
    name: 'fixture',
    input: { kind: 'classification', train: toySplit(24, 1), test: toySplit(8, 500), classes: 2 },
    source: { type: 'generated', detail: 'comparison fixture' },
    ...(options.publishedTask ? { publishedTask: options.publishedTask } : {}),
  });
  const runs = options.pending ? [...FIXTURE_RUNS, PENDING_RUN] : FIXTURE_RUNS;
  const seeds = [...new Set(runs.map((r) => r.seed))];
  const { experimentId } = core.log.createExperiment({
    name: options.name ?? 'DASH vs P-DASH on fixture',
    datasetId: dataset.id,
    methods: ['dash', 'pdash'],
    seeds,
    preset: 'smoke',
    settings: { dataset: dataset.id, methods: ['dash', 'pdash'], seeds, preset: 'smoke', selection: 'argmax', overrides: {} },
    config: resolveConfig('smoke', { selection: 'argmax' }),
  });
  const created = core.log.runsOf(experimentId);
  const runIds = runs.map((r) => created.find((c) => c.method === r.method && c.seed === r.seed)!.id);
  runs.forEach((run, i) => {
    const id = runIds[i]!;
    if (run.metric === undefined) return;
    core.log.setBackend(id, 'wasm', 2);
    core.log.recordAll(id, eventsOf(run));
    core.log.finish(id, 'done');
  });
  // createExperiment makes every (method, seed) pair; pairs the fixture does not list are removed.
  for (const row of created) if (!runIds.includes(row.id)) core.db.prepare('DELETE FROM runs WHERE id = ?').run(row.id);
  return { core, dataset, experimentId, runIds };
}

/**
 * A further DASH experiment on the lab's dataset with `config`, finished with these metrics by seed: each run as
 * the fixture's DASH run of seed % 3, with `run`'s layers or curves where given; its run ids by seed.
 */
export function addDashExperiment(lab: ComparisonLab, config: RunConfig, metrics: Record<number, number>, run: Partial<Pick<FixtureRun, 'layers' | 'retrainLoss' | 'retrainValidation'>> = {}): number[] {
  const seeds = Object.keys(metrics).map(Number);
  const { experimentId } = lab.core.log.createExperiment({
    name: `dash ${config.preset}`,
    datasetId: lab.dataset.id,
    methods: ['dash'],
    seeds,
    preset: config.preset,
    settings: { dataset: lab.dataset.id, methods: ['dash'], seeds, preset: config.preset, selection: 'argmax', overrides: {} },
    config,
  });
  return lab.core.log.runsOf(experimentId).map((row) => {
    const fixture = FIXTURE_RUNS.find((r) => r.method === 'dash' && r.seed === row.seed % 3)!;
    lab.core.log.recordAll(row.id, eventsOf({ ...fixture, ...run, metric: metrics[row.seed]! }));
    lab.core.log.finish(row.id, 'done');
    return row.id;
  });
}

/** A last alpha snapshot for `runId` of two layers, the first undecided (within one point), the second decided. */
export function recordOneUndecidedLayer(lab: ComparisonLab, runId: number): void {
  const patterns = [{ kernel: 3, dilation: 1 }, { kernel: 5, dilation: 1 }];
  lab.core.log.recordAll(runId, [
    {
      type: 'alpha',
      round: null,
      epoch: 99,
      layers: [
        { layer: 0, name: 'block1.conv1', patterns, alpha: [0.002, 0], softmax: [0.5005, 0.4995] },
        { layer: 1, name: 'block1.conv2', patterns, alpha: [2, 0], softmax: [0.88, 0.12] },
      ],
    },
  ]);
}
