/**
 * Contract-shaped answers for renderer tests: datasets, experiments and runs as the core sends them. Each
 * builder takes overrides so that a test states only what it is about.
 */
import type { DatasetDetail, DatasetSummary, ExperimentSummary, PayloadOf, RunDetail, RunSummary } from '../../../src/shared/contract/index.ts';
import { DatasetDetail as DatasetDetailSchema, ExperimentSummary as ExperimentSummarySchema, RunDetail as RunDetailSchema } from '../../../src/shared/contract/index.ts';
import { resolveConfig } from '../../../src/shared/engine/index.ts';

/** What the lab stores with the runs of a smoke experiment (RunService.create: resolved once, at creation). */
export const smokeConfig = (): Record<string, unknown> => ({ ...resolveConfig('smoke', { selection: 'argmax' }) });

export function datasetSummary(overrides: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    id: 1,
    name: 'toy',
    kind: 'classification',
    rank: 1,
    xShape: [32, 1],
    yShape: [],
    classes: 2,
    classNames: null,
    splits: { train: 58, val: 6, test: 32 },
    valCarved: { seed: 0, fraction: 0.1 },
    metric: { name: 'error', direction: 'minimize' },
    publishedTask: null,
    contentHash: '250e0bd690fa03270d3e2b5eedbe26e2a3d2e792a05f7e3eccb6a9f419509ee6',
    source: { type: 'files', detail: '/data/train-x.npy, /data/train-y.npy, /data/test-x.npy, /data/test-y.npy' },
    bytes: 13440,
    createdAt: '2026-11-24T16:09:30.382Z',
    ...overrides,
  };
}

export function datasetDetail(overrides: Partial<DatasetDetail> = {}): DatasetDetail {
  const summary = datasetSummary(overrides);
  const detail: DatasetDetail = {
    ...summary,
    classCounts: { train: [28, 30], val: [4, 2], test: [16, 16] },
    normalization: { x: { mode: 'channel', mean: [-0.0055], std: [0.7129] }, y: null },
    folder: '/home/ada/pdash-lab/datasets/250e0bd690fa03270d3e2b5e',
    samples: [
      { split: 'train', index: 0, x: Array.from({ length: 32 }, (_, t) => Math.sin(t)), y: [0] },
      { split: 'test', index: 0, x: Array.from({ length: 32 }, (_, t) => Math.cos(t)), y: [1] },
    ],
    ...overrides,
  };
  return DatasetDetailSchema.parse(detail);
}

export function runSummary(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    experimentId: 1,
    method: 'dash',
    seed: 0,
    status: 'queued',
    phase: null,
    progress: 0,
    backend: null,
    threads: null,
    metric: null,
    validation: null,
    architecture: null,
    archId: null,
    parameters: null,
    flops: null,
    seconds: { total: 0 },
    steps: {},
    flopsSpent: { total: 0 },
    checkpoint: null,
    error: null,
    attempts: 0,
    createdAt: '2026-11-24T16:09:31.825Z',
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

export function experimentSummary(overrides: Partial<ExperimentSummary> = {}): ExperimentSummary {
  const id = overrides.id ?? 1;
  return ExperimentSummarySchema.parse({
    id,
    name: 'dash on toy',
    dataset: { id: 1, name: 'toy' },
    methods: ['dash'],
    seeds: [0, 1],
    preset: 'smoke',
    settings: { dataset: 1, methods: ['dash'], seeds: [0, 1], preset: 'smoke', selection: 'argmax', overrides: {} },
    config: smokeConfig(),
    createdAt: '2026-11-24T16:09:31.825Z',
    runs: [runSummary({ id: 2 * id - 1, experimentId: id, seed: 0 }), runSummary({ id: 2 * id, experimentId: id, seed: 1 })],
    ...overrides,
  });
}

export const patterns2x2 = [
  { kernel: 3, dilation: 1 },
  { kernel: 3, dilation: 2 },
  { kernel: 5, dilation: 1 },
  { kernel: 5, dilation: 2 },
];

export function alphaLayers(weights: number[][]): RunDetail['alpha'][number]['layers'] {
  return weights.map((softmax, layer) => ({
    layer,
    name: `block1.conv${layer + 1}`,
    patterns: patterns2x2,
    alpha: softmax.map((w) => Math.log(w)),
    softmax,
  }));
}

export function epochPoint(overrides: Partial<RunDetail['epochs'][number]> = {}): RunDetail['epochs'][number] {
  return { phase: 'search', round: 0, trial: -1, epoch: 0, steps: 3, lr: 0.1, trainLoss: 0.7, validation: null, wallMs: 600, ...overrides };
}

export function runDetail(overrides: Partial<RunDetail> = {}): RunDetail {
  return RunDetailSchema.parse({
    ...runSummary({ status: 'running', phase: 'search', progress: 0.1, backend: 'wasm', threads: 2, attempts: 1, startedAt: '2026-11-24T16:09:31.916Z' }),
    config: smokeConfig(),
    epochs: [epochPoint()],
    alpha: [{ round: 0, epoch: 0, layers: alphaLayers([[0.25, 0.25, 0.24, 0.26]]) }],
    hpTrials: [],
    rounds: [],
    randomCandidates: [],
    spec: null,
    ...overrides,
  });
}

/**
 * A P-DASH round (or DASH's selection, round 0): per layer its candidates ranked best first, as [kernel, dilation]
 * pairs; the first `keep` kept, the others pruned. Scores fall with the ranking.
 */
export function searchRound(round: number, rounds: number, keep: number, ...rankings: Array<Array<[number, number]>>): RunDetail['rounds'][number] {
  return {
    round,
    rounds,
    selection: 'argmax',
    layers: rankings.map((ranking, layer) => {
      const ranked = ranking.map(([kernel, dilation], rank) => ({ kernel, dilation, score: 0.4 - rank * 0.05 }));
      const pattern = ({ kernel, dilation }: { kernel: number; dilation: number }) => ({ kernel, dilation });
      return { layer, name: `block1.conv${layer + 1}`, ranking: ranked, kept: ranked.slice(0, keep).map(pattern), pruned: ranked.slice(keep).map(pattern) };
    }),
  };
}

export type StatusEvent = PayloadOf<'runs/status'>;
export type ProgressEvent = PayloadOf<'runs/progress'>;
