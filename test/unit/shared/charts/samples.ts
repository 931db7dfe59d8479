/** Hand-built contract DTOs for the chart and table builders: small, exact, two methods over three seeds. */
import type { Comparison, Method, RunDetail } from '../../../../src/shared/contract/experiments.ts';

export function runDetail(id: number, method: Method, seed: number, options: {
  metric?: number;
  retrain?: Array<[number, number | null]>;
  search?: number[][];
  layers?: Array<[number, number]>;
  seconds?: Record<string, number>;
} = {}): RunDetail {
  const epochs: RunDetail['epochs'] = [];
  (options.search ?? []).forEach((losses, r) => losses.forEach((loss, epoch) => epochs.push({ phase: 'search', round: options.search!.length > 1 ? r + 1 : 0, trial: -1, epoch, steps: 1, lr: 0.1, trainLoss: loss, validation: null, wallMs: 1 })));
  epochs.push({ phase: 'hp-search', round: 0, trial: 0, epoch: 0, steps: 1, lr: 0.1, trainLoss: 99, validation: 99, wallMs: 1 });
  (options.retrain ?? []).forEach(([loss, validation], epoch) => epochs.push({ phase: 'retrain', round: 0, trial: -1, epoch, steps: 1, lr: 0.01, trainLoss: loss, validation, wallMs: 1 }));
  const architecture = options.layers?.map(([kernel, dilation], layer) => ({ layer, kernel, dilation })) ?? null;
  const seconds = options.seconds ?? {};
  return {
    id,
    experimentId: 1,
    method,
    seed,
    status: options.metric === undefined ? 'running' : 'done',
    phase: options.metric === undefined ? 'search' : 'test',
    progress: options.metric === undefined ? 0.2 : 1,
    backend: 'wasm',
    threads: 2,
    metric: options.metric === undefined ? null : { name: 'error', direction: 'minimize', value: options.metric },
    validation: null,
    architecture,
    archId: architecture ? `arch${id}` : null,
    parameters: architecture ? 1000 : null,
    flops: architecture ? 2e6 : null,
    seconds: { ...seconds, total: Object.values(seconds).reduce((a, b) => a + b, 0) },
    steps: {},
    // Estimated FLOPs: 1e11 per second of work, so the two cost axes rank runs alike.
    flopsSpent: { ...Object.fromEntries(Object.entries(seconds).map(([phase, s]) => [phase, s * 1e11])), total: Object.values(seconds).reduce((a, b) => a + b, 0) * 1e11 },
    checkpoint: null,
    error: null,
    attempts: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    config: {},
    epochs,
    alpha: architecture ? [{ round: 0, epoch: 0, layers: architecture.map((l) => ({ layer: l.layer, name: `block.conv${l.layer}`, patterns: [], alpha: [], softmax: [] })) }] : [],
    hpTrials: [],
    rounds: [],
    randomCandidates: [],
    spec: null,
  };
}

export const sampleRuns: RunDetail[] = [
  runDetail(1, 'dash', 0, { metric: 6.9, retrain: [[1.2, 9], [0.9, 8], [0.7, 7.5]], search: [[1.5, 1.3]], layers: [[3, 1], [5, 3]], seconds: { search: 40, 'hp-search': 20, retrain: 30, test: 1 } }),
  runDetail(2, 'dash', 1, { metric: 6.3, retrain: [[1.4, 10], [1.1, 9], [0.9, 8.5]], search: [[1.7, 1.5]], layers: [[3, 1], [5, 1]], seconds: { search: 44, 'hp-search': 22, retrain: 31, test: 1 } }),
  runDetail(3, 'dash', 2, { metric: 6.6, retrain: [[1.0, 8], [0.7, null], [0.5, 6.5]], search: [[1.6, 1.4]], layers: [[3, 1], [5, 3]], seconds: { search: 42, 'hp-search': 21, retrain: 32, test: 1 } }),
  runDetail(4, 'pdash', 0, { metric: 5.9, retrain: [[1.1, 8], [0.8, 7], [0.6, 6.5]], search: [[1.5], [1.2], [1.0]], layers: [[3, 1], [7, 1]], seconds: { search: 60, 'hp-search': 20, retrain: 30, test: 1 } }),
  runDetail(5, 'pdash', 1, { metric: 5.8, retrain: [[1.0, 8.5], [0.8, 7.2], [0.65, 6.4]], search: [[1.6], [1.3], [1.1]], layers: [[3, 1], [7, 1]], seconds: { search: 62, 'hp-search': 21, retrain: 29, test: 1 } }),
  runDetail(6, 'pdash', 2, {}),
];

export function sampleComparison(options: { published?: boolean } = {}): Comparison {
  return {
    runIds: [1, 2, 3, 4, 5, 6],
    metric: { name: 'error', direction: 'minimize' },
    stdKind: 'sample (n - 1)',
    methods: [
      { method: 'dash', n: 3, mean: 6.6, std: 0.3, min: 6.3, max: 6.9, values: [{ runId: 1, seed: 0, value: 6.9 }, { runId: 2, seed: 1, value: 6.3 }, { runId: 3, seed: 2, value: 6.6 }], pending: 0, seconds: { search: 42, 'hp-search': 21, retrain: 31, test: 1, total: 95 }, flops: 2e6, flopsSpent: { search: 4e12, 'hp-search': 2e12, retrain: 3e12, test: 1e10, total: 9.01e12 } },
      { method: 'pdash', n: 2, mean: 5.85, std: 0.0707, min: 5.8, max: 5.9, values: [{ runId: 4, seed: 0, value: 5.9 }, { runId: 5, seed: 1, value: 5.8 }], pending: 1, seconds: { search: 61, 'hp-search': 20.5, retrain: 29.5, test: 1, total: 112 }, flops: 2e6, flopsSpent: { search: 6e12, 'hp-search': 2e12, retrain: 3e12, test: 1e10, total: 1.101e13 } },
    ],
    welch: [{ a: 'dash', b: 'pdash', t: 3.6, df: 2.3, p: 0.0523, meanDifference: 0.75 }],
    layers: [
      { layer: 0, byRow: [{ row: 0, method: 'dash', kernel: 3, dilation: 1, count: 3, n: 3, agreement: 100 }, { row: 1, method: 'pdash', kernel: 3, dilation: 1, count: 2, n: 2, agreement: 100 }] },
      { layer: 1, byRow: [{ row: 0, method: 'dash', kernel: 5, dilation: 3, count: 2, n: 3, agreement: (2 / 3) * 100 }, { row: 1, method: 'pdash', kernel: 7, dilation: 1, count: 2, n: 2, agreement: 100 }] },
    ],
    published: options.published
      ? {
          task: 'ninapro',
          metric: { name: 'error', direction: 'minimize', definition: '100 - top-1 accuracy on the test split, in percent', unit: '%' },
          results: [
            { method: 'backbone', label: 'WRN backbone (NAS-Bench-360)', mean: 6.78, std: 0.26, n: 3 },
            { method: 'dash', label: 'DASH (P-DASH study\'s runs)', mean: 6.6, std: 0.33, n: 3 },
            { method: 'pdash', label: 'P-DASH', mean: 5.9, std: 0.08, n: 3 },
          ],
        }
      : null,
  };
}
