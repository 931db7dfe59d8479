/**
 * Seed-aware comparison of runs, by configuration: runs pool into one row only when their dataset, method and
 * stored RunConfig are identical and no seed repeats (a smoke run and a quick run of seed 0 are two rows, and the
 * comparison says what differs). Per row: n, mean, sample std, min, max, a bootstrap interval of the mean and the
 * per-seed values of the test metric; between every two rows Welch's t-test, and on the seeds both ran the paired
 * t-test and the exact Wilcoxon signed-rank test, each with the seeds a difference of that size would need; per
 * row, the modal (k, d) of every searchable layer across its seeds with its agreement; time per phase; and the
 * published numbers when the dataset stands for one of the NAS-Bench-360 tasks.
 */
import { METHOD_ORDER } from '../../../shared/charts/index.ts';
import type { Comparison, Method } from '../../../shared/contract/index.ts';
import { layerDecision } from '../../../shared/engine/index.ts';
import { LabError } from '../../../shared/errors.ts';
import publishedResults from '../../../../resources/published-results.json' with { type: 'json' };
import type { DatasetRecord } from '../datasets/registry.ts';
import type { ExperimentLog, RunRow } from '../log/experiment-log.ts';
import { storedRunConfig } from '../log/stored-config.ts';
import { bootstrapMeanInterval, modal, pairedTTest, pooledStd, seedsNeeded, summarize, welchTest, wilcoxonSignedRank } from './statistics.ts';


export function compareRuns(rows: readonly RunRow[], log: ExperimentLog, datasetOf: (experimentId: number) => DatasetRecord): Comparison {
  if (rows.length === 0) throw new LabError('bad-request', 'Nothing to compare: no runs.');
  const finished = rows.filter((r) => r.status === 'done' && r.metric_value !== null);
  const metricNames = new Set(finished.map((r) => r.metric_name));
  if (metricNames.size > 1) {
    throw new LabError('bad-request', `These runs report different metrics (${[...metricNames].join(', ')}): they are not comparable.`, 'Compare runs of one task at a time.');
  }
  const first = finished[0];
  const metric = first ? ({ name: first.metric_name, direction: first.metric_direction ?? 'minimize' } as NonNullable<Comparison['metric']>) : null;

  const groups = groupByConfiguration(rows, datasetOf);
  const stats: Comparison['methods'] = groups.map((group) => {
    const mine = group.rows;
    const done = mine.filter((r) => r.status === 'done' && r.metric_value !== null);
    const values = done.map((r) => {
      const undecided = undecidedAtSelection(log, r.id);
      const backend = r.backend === null ? null : `${r.backend}${r.threads !== null && r.threads > 1 ? `, ${r.threads} threads` : ''}`;
      return { runId: r.id, seed: r.seed, value: r.metric_value!, backend, ...(undecided === null ? {} : { undecided }) };
    });
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
      method: group.method,
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
      configuration: { key: group.key, label: group.label, preset: group.preset, smoke: group.preset === 'smoke', runIds: group.rows.map((r) => r.id), differs: group.differs },
      bootstrap: bootstrapMeanInterval(values.map((v) => v.value)),
    };
  });

  const welch: Comparison['welch'] = [];
  const paired: NonNullable<Comparison['paired']> = [];
  for (let i = 0; i < stats.length; i++) {
    for (let j = i + 1; j < stats.length; j++) {
      const a = stats[i]!;
      const b = stats[j]!;
      const pair = { a: a.method, b: b.method, aRow: i, bRow: j };
      const va = a.values.map((v) => v.value);
      const vb = b.values.map((v) => v.value);
      const test = welchTest(va, vb);
      if (test !== null && Number.isFinite(test.t)) {
        welch.push({ ...pair, t: test.t, df: test.df, p: test.p, meanDifference: test.meanDifference, seedsNeeded: seedsNeeded(test.meanDifference, pooledStd(va, vb), 'pooled') });
      }
      const bySeedA = new Map(a.values.map((v) => [v.seed, v.value]));
      const bySeedB = new Map(b.values.map((v) => [v.seed, v.value]));
      const t = pairedTTest(bySeedA, bySeedB);
      if (t !== null && Number.isFinite(t.t)) {
        const wilcoxon = wilcoxonSignedRank(t.seeds.map((s) => bySeedA.get(s)!), t.seeds.map((s) => bySeedB.get(s)!));
        paired.push({ ...pair, ...t, wilcoxon, seedsNeeded: seedsNeeded(t.meanDifference, t.stdDifference, 'paired') });
      }
    }
  }

  const layers = layerChoicesByRow(groups, log);

  return {
    runIds: rows.map((r) => r.id),
    metric,
    stdKind: 'sample (n - 1)',
    methods: stats,
    welch,
    paired,
    differences: differences(groups),
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

interface ConfigurationGroup {
  method: Method;
  key: string;
  /** What sets this group apart from the method's other groups; '' when the method has one. */
  label: string;
  preset: string | null;
  /** The configuration as path -> value (JSON), for saying what differs. */
  settings: Map<string, string>;
  /** This group's value of each setting that differs among the method's groups, the preset first. */
  differs: Array<{ setting: string; value: string }>;
  /** 1 for the first group of a configuration; 2, 3, ... for runs that repeat one of its seeds. */
  repeat: number;
  rows: RunRow[];
}

/** Sections of the RunConfig that only one method reads (the worker's random search and P-DASH's plan). */
const ONLY_FOR: Record<string, Method> = { random: 'random', pdash: 'pdash' };

/** A JSON value with its object keys sorted: equal configurations give equal text. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Leaves of a configuration as dotted paths (`retrain.epochs`); arrays and the HP grid are one leaf. */
function flatten(value: unknown, path: string, out: Map<string, string>): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && !path.endsWith('grid')) {
    for (const [k, v] of Object.entries(value)) flatten(v, path === '' ? k : `${path}.${k}`, out);
  } else out.set(path, sortedJson(value));
}

/**
 * The runs by configuration: the dataset, the method and the stored RunConfig (read as it was stored, never
 * resolved again; `custom` left out, being a consequence of the rest, and so are the sections only another
 * method reads). A run whose seed its configuration's group already has starts a further group: a mean over
 * seeds never counts one seed twice. Groups come in METHOD_ORDER, then by their first run.
 */
function groupByConfiguration(rows: readonly RunRow[], datasetOf: (experimentId: number) => DatasetRecord): ConfigurationGroup[] {
  const groups: ConfigurationGroup[] = [];
  for (const row of [...rows].sort((a, b) => a.id - b.id)) {
    const dataset = datasetOf(row.experiment_id);
    const stored = storedRunConfig(row.config);
    const settings = new Map<string, string>([['dataset', JSON.stringify(dataset.name)]]);
    let preset: string | null = null;
    if (stored.ok) {
      preset = stored.value.preset;
      const { custom: _custom, ...rest } = stored.value as unknown as Record<string, unknown>;
      for (const [section, method] of Object.entries(ONLY_FOR)) if (method !== row.method) delete rest[section];
      flatten(rest, '', settings);
    } else settings.set('configuration', JSON.stringify(`unreadable: ${row.config}`));
    const key = `dataset ${dataset.id} ${row.method} ${sortedJson(Object.fromEntries([...settings].filter(([k]) => k !== 'dataset')))}`;
    const home = groups.find((g) => g.key === key && !g.rows.some((r) => r.seed === row.seed));
    if (home) home.rows.push(row);
    else groups.push({ method: row.method, key, label: '', preset, settings, differs: [], repeat: groups.filter((g) => g.key === key).length + 1, rows: [row] });
  }
  groups.sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.rows[0]!.id - b.rows[0]!.id);
  for (const method of METHOD_ORDER) {
    const mine = groups.filter((g) => g.method === method);
    if (mine.length < 2) continue;
    const differing = differingPaths(mine);
    const labelOf = (g: ConfigurationGroup, k: number): string[] =>
      differing.slice(0, k).map((path) => (path === 'preset' ? valueText(g.settings.get(path)) : `${path} ${valueText(g.settings.get(path))}`));
    // As few settings as tell the configurations apart (the preset alone, usually), three at most.
    let k = Math.min(1, differing.length);
    while (k < Math.min(3, differing.length) && new Set(mine.map((g) => labelOf(g, k).join())).size < new Set(mine.map((g) => g.key)).size) k++;
    for (const g of mine) {
      const parts = labelOf(g, k);
      if (g.repeat > 1) parts.push(`repeat ${g.repeat}`);
      g.label = parts.join(', ');
      g.differs = differing.map((setting) => ({ setting, value: valueText(g.settings.get(setting)) }));
    }
  }
  return groups;
}

/** The paths whose values differ among a method's groups, the preset first. */
function differingPaths(groups: readonly ConfigurationGroup[]): string[] {
  const paths = new Set(groups.flatMap((g) => [...g.settings.keys()]));
  const differing = [...paths].filter((p) => new Set(groups.map((g) => g.settings.get(p) ?? 'absent')).size > 1);
  return differing.sort((a, b) => Number(b === 'preset') - Number(a === 'preset') || Number(b === 'dataset') - Number(a === 'dataset'));
}

function valueText(json: string | undefined): string {
  if (json === undefined) return 'absent';
  const value: unknown = JSON.parse(json);
  return typeof value === 'string' ? value : json;
}

/** One line per method with several groups: "preset quick vs smoke; retrain.epochs 8 vs 3". */
function differences(groups: readonly ConfigurationGroup[]): NonNullable<Comparison['differences']> {
  const out: NonNullable<Comparison['differences']> = [];
  for (const method of METHOD_ORDER) {
    const mine = groups.filter((g) => g.method === method);
    if (mine.length < 2) continue;
    const configurations = [...new Map(mine.map((g) => [g.key, g])).values()];
    const differing = configurations.length > 1 ? differingPaths(configurations) : [];
    const parts = differing.slice(0, 6).map((path) => `${path} ${configurations.map((g) => valueText(g.settings.get(path))).join(' vs ')}`);
    if (differing.length > 6) parts.push(`and ${differing.length - 6} more settings`);
    const repeated = mine.filter((g) => g.repeat > 1);
    if (repeated.length > 0) {
      const seeds = [...new Set(repeated.flatMap((g) => g.rows.map((r) => r.seed)))].sort((a, b) => a - b);
      parts.push(`the same configuration ran seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')} more than once (kept apart: a seed counts once in a mean)`);
    }
    out.push({ method, text: parts.join('; ') });
  }
  return out;
}

/**
 * Per searchable layer, each row's modal (k, d) over its finished runs' architectures (ties: the first seen) with
 * how many agree: by row, not by method, so two configurations of one method are never pooled.
 */
function layerChoicesByRow(groups: readonly ConfigurationGroup[], log: ExperimentLog): Comparison['layers'] {
  const choices = new Map<number, Map<number, Array<{ kernel: number; dilation: number }>>>();
  groups.forEach((group, row) => {
    for (const r of group.rows) {
      if (r.status !== 'done' || r.metric_value === null) continue;
      const arch = log.architecture(r.id);
      if (!arch) continue;
      const spec = JSON.parse(arch.spec) as { layers: Array<{ layer: number; kernel: number; dilation: number }> };
      for (const l of spec.layers) {
        const byRow = choices.get(l.layer) ?? new Map<number, Array<{ kernel: number; dilation: number }>>();
        choices.set(l.layer, byRow);
        byRow.set(row, [...(byRow.get(row) ?? []), { kernel: l.kernel, dilation: l.dilation }]);
      }
    }
  });
  return [...choices.entries()]
    .sort(([a], [b]) => a - b)
    .map(([layer, byRow]) => ({
      layer,
      byRow: [...byRow.entries()]
        .sort(([a], [b]) => a - b)
        .map(([row, list]) => {
          const m = modal(list, (c) => `${c.kernel}/${c.dilation}`);
          return { row, method: groups[row]!.method, kernel: m.value.kernel, dilation: m.value.dilation, count: m.count, n: list.length, agreement: m.agreement };
        }),
    }));
}

/**
 * How many layers a run's search left undecided at the snapshot it selected from: the last alpha snapshot of its
 * last round (DASH's search, P-DASH's final round). null for runs without alpha (the baselines).
 */
function undecidedAtSelection(log: ExperimentLog, runId: number): { layers: number; of: number } | null {
  const last = log.lastAlphaSnapshot(runId);
  if (last === undefined) return null;
  const layers = JSON.parse(last.layers) as Array<{ softmax: number[] }>;
  return { layers: layers.filter((l) => !layerDecision(l.softmax).decided).length, of: layers.length };
}
