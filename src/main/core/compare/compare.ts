/**
 * Seed-aware comparison of runs, by method: n, mean, sample std, min, max and per-seed values of the test
 * metric; Welch's t-test between every pair of methods; the modal (k, d) of every searchable layer across
 * seeds with its agreement; time per phase; and the published numbers when the dataset stands for one of the
 * NAS-Bench-360 tasks.
 */
import { METHOD_ORDER } from '../../../shared/charts/index.ts';
import type { Comparison, Method } from '../../../shared/contract/index.ts';
import { LabError } from '../../../shared/errors.ts';
import publishedResults from '../../../../resources/published-results.json' with { type: 'json' };
import type { DatasetRecord } from '../datasets/registry.ts';
import type { ExperimentLog, RunRow } from '../log/experiment-log.ts';
import { modal, summarize, welchTest } from './statistics.ts';


export function compareRuns(rows: readonly RunRow[], log: ExperimentLog, datasetOf: (experimentId: number) => DatasetRecord): Comparison {
  if (rows.length === 0) throw new LabError('bad-request', 'Nothing to compare: no runs.');
  const finished = rows.filter((r) => r.status === 'done' && r.metric_value !== null);
  const metricNames = new Set(finished.map((r) => r.metric_name));
  if (metricNames.size > 1) {
    throw new LabError('bad-request', `These runs report different metrics (${[...metricNames].join(', ')}): they are not comparable.`, 'Compare runs of one task at a time.');
  }
  const first = finished[0];
  const metric = first ? ({ name: first.metric_name, direction: first.metric_direction ?? 'minimize' } as NonNullable<Comparison['metric']>) : null;

  const methods = METHOD_ORDER.filter((m) => rows.some((r) => r.method === m));
  const stats: Comparison['methods'] = methods.map((method) => {
    const mine = rows.filter((r) => r.method === method);
    const done = finished.filter((r) => r.method === method);
    const values = done.map((r) => ({ runId: r.id, seed: r.seed, value: r.metric_value! }));
    const summary = values.length > 0 ? summarize(values.map((v) => v.value)) : null;
    const seconds: Record<string, number> = {};
    const flopsSpent: Record<string, number> = {};
    for (const r of done) {
      for (const p of log.phases(r.id)) {
        seconds[p.phase] = (seconds[p.phase] ?? 0) + p.wall_ms / 1000 / done.length;
        flopsSpent[p.phase] = (flopsSpent[p.phase] ?? 0) + p.flops / done.length;
      }
    }
    seconds.total = Object.values(seconds).reduce((a, b) => a + b, 0);
    flopsSpent.total = Object.values(flopsSpent).reduce((a, b) => a + b, 0);
    const flops = done.map((r) => log.architecture(r.id)?.flops).filter((f): f is number => f !== undefined);
    return {
      method,
      n: values.length,
      mean: summary?.mean ?? null,
      std: summary?.std ?? null,
      min: summary?.min ?? null,
      max: summary?.max ?? null,
      values,
      pending: mine.length - done.length,
      seconds,
      flopsSpent,
      flops: flops.length > 0 ? flops.reduce((a, b) => a + b, 0) / flops.length : null,
    };
  });

  const welch: Comparison['welch'] = [];
  for (let i = 0; i < stats.length; i++) {
    for (let j = i + 1; j < stats.length; j++) {
      const a = stats[i]!;
      const b = stats[j]!;
      const test = welchTest(a.values.map((v) => v.value), b.values.map((v) => v.value));
      if (test !== null && Number.isFinite(test.t)) welch.push({ a: a.method, b: b.method, t: test.t, df: test.df, p: test.p, meanDifference: test.meanDifference });
    }
  }

  const layerChoices = new Map<number, Map<Method, Array<{ kernel: number; dilation: number }>>>();
  for (const r of finished) {
    const arch = log.architecture(r.id);
    if (!arch) continue;
    const spec = JSON.parse(arch.spec) as { layers: Array<{ layer: number; kernel: number; dilation: number }> };
    for (const l of spec.layers) {
      const byMethod = layerChoices.get(l.layer) ?? new Map();
      layerChoices.set(l.layer, byMethod);
      const list = byMethod.get(r.method) ?? [];
      list.push({ kernel: l.kernel, dilation: l.dilation });
      byMethod.set(r.method, list);
    }
  }
  const layers: Comparison['layers'] = [...layerChoices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([layer, byMethod]) => ({
      layer,
      byMethod: Object.fromEntries(
        [...byMethod.entries()].map(([method, choices]) => {
          const m = modal(choices, (c) => `${c.kernel}/${c.dilation}`);
          return [method, { kernel: m.value.kernel, dilation: m.value.dilation, count: m.count, n: choices.length, agreement: m.agreement }];
        }),
      ),
    }));

  return {
    runIds: rows.map((r) => r.id),
    metric,
    stdKind: 'sample (n - 1)',
    methods: stats,
    welch,
    layers,
    published: publishedFor(rows, datasetOf),
  };
}

function publishedFor(rows: readonly RunRow[], datasetOf: (experimentId: number) => DatasetRecord): Comparison['published'] {
  const tasks = new Set(rows.map((r) => datasetOf(r.experiment_id).publishedTask));
  if (tasks.size !== 1) return null;
  const task = [...tasks][0];
  if (task === null || task === undefined) return null;
  const entry = publishedResults.tasks[task];
  return { task, metric: entry.metric, results: entry.results };
}
