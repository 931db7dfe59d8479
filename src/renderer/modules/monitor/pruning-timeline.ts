/**
 * P-DASH's pruning timeline as pure data: per searchable layer and per round, the layer's kernel × dilation grid
 * with what the round kept, what it pruned, and what earlier rounds had already pruned; the rounds still to come
 * as columns of their own (from the run's plan), so a running run shows where it is. DASH's single selection
 * (round 0) is the same picture with one column.
 */
import type { SearchRound } from '../../stores/runs.ts';
import type { PdashPlan } from '../../../shared/engine/index.ts';
import { formatWeight, percentDecimals } from './alpha-grid.ts';

export type RoundLayer = SearchRound['layers'][number];

/**
 * kept: a candidate of the round that survives it; chosen: the one pattern the last round keeps; pruned: a
 * candidate of the round that it removes; gone: removed by an earlier round; absent: not in the search space.
 */
export type PatternState = 'kept' | 'chosen' | 'pruned' | 'gone' | 'absent';

export interface PatternCell {
  kernel: number;
  dilation: number;
  state: PatternState;
  /** 1-based place in the round's ranking; null when not a candidate of the round. */
  rank: number | null;
  score: number | null;
}

export interface RoundColumn {
  round: number;
  /** Candidates per layer searched in the round, and kept after it (null: not known yet). */
  from: number | null;
  to: number | null;
  /** argmax or perturbation, once the round has been ranked. */
  selection: string | null;
  /** done: ranked and pruned; searching: the round the run is in; pending: still to come. */
  status: 'done' | 'searching' | 'pending';
}

export interface TimelineRow {
  layer: number;
  name: string;
  /** Per column: rows (kernels) × columns (dilations); null for a round not ranked yet. */
  grids: Array<PatternCell[][] | null>;
  /** The pattern the last round kept, once it has been ranked. */
  chosen: { kernel: number; dilation: number } | null;
}

export interface PruningTimeline {
  /** The search space's kernel sizes (grid rows) and dilations (grid columns). */
  kernels: number[];
  dilations: number[];
  columns: RoundColumn[];
  rows: TimelineRow[];
}

const key = (p: { kernel: number; dilation: number }): string => `${p.kernel}/${p.dilation}`;
const sorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

function layerGrid(layer: RoundLayer, last: boolean, kernels: number[], dilations: number[], space: Set<string>): PatternCell[][] {
  const kept = new Set(layer.kept.map(key));
  const pruned = new Set(layer.pruned.map(key));
  const ranking = new Map(layer.ranking.map((p, index) => [key(p), { rank: index + 1, score: p.score }]));
  return kernels.map((kernel) =>
    dilations.map((dilation): PatternCell => {
      const k = key({ kernel, dilation });
      const ranked = ranking.get(k);
      const state: PatternState = kept.has(k) ? (last ? 'chosen' : 'kept') : pruned.has(k) ? 'pruned' : space.has(k) ? 'gone' : 'absent';
      return { kernel, dilation, state, rank: ranked?.rank ?? null, score: ranked?.score ?? null };
    }),
  );
}

export interface TimelineOptions {
  /** The rounds the run was configured with (P-DASH), for the columns not ranked yet. */
  plan: PdashPlan | null;
  /** Whether the run is searching now (running, in its search or select phase). */
  searching: boolean;
  /** The search space's patterns, when no round has been ranked yet (from the first alpha snapshot). */
  patterns?: ReadonlyArray<{ kernel: number; dilation: number }>;
}

export function pruningTimeline(rounds: readonly SearchRound[], options: TimelineOptions): PruningTimeline {
  const logged = [...rounds].sort((a, b) => a.round - b.round);
  const allPatterns = [...logged.flatMap((r) => r.layers.flatMap((l) => l.ranking)), ...(options.patterns ?? [])];
  const kernels = sorted(allPatterns.map((p) => p.kernel));
  const dilations = sorted(allPatterns.map((p) => p.dilation));
  const space = new Set(allPatterns.map(key));

  // Round numbers: DASH's single selection is round 0; P-DASH's rounds are 1..R (R from the plan or the events).
  const total = options.plan?.rounds ?? logged.at(-1)?.rounds ?? 0;
  const numbers = logged.some((r) => r.round === 0) ? [0] : Array.from({ length: total }, (_, i) => i + 1);
  for (const r of logged) if (!numbers.includes(r.round)) numbers.push(r.round);
  numbers.sort((a, b) => a - b);

  let searchingMarked = false;
  const columns = numbers.map((round): RoundColumn => {
    const found = logged.find((r) => r.round === round);
    const first = found?.layers[0];
    const planned = options.plan !== null && round >= 1 ? { from: options.plan.sizes[round - 1] ?? null, to: options.plan.sizes[round] ?? null } : { from: null, to: null };
    if (found !== undefined) return { round, from: first?.ranking.length ?? planned.from, to: first?.kept.length ?? planned.to, selection: found.selection, status: 'done' };
    const status = options.searching && !searchingMarked ? 'searching' : 'pending';
    if (status === 'searching') searchingMarked = true;
    return { round, ...planned, selection: null, status };
  });

  const finalRound = numbers.at(-1);
  const layers = new Map<number, string>();
  for (const r of logged) for (const l of r.layers) if (!layers.has(l.layer)) layers.set(l.layer, l.name);
  const rows = [...layers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([layer, name]): TimelineRow => {
      const grids = numbers.map((round) => {
        const found = logged.find((r) => r.round === round)?.layers.find((l) => l.layer === layer);
        return found === undefined ? null : layerGrid(found, round === finalRound, kernels, dilations, space);
      });
      const last = logged.find((r) => r.round === finalRound)?.layers.find((l) => l.layer === layer);
      const chosen = last !== undefined && last.kept.length === 1 ? { kernel: last.kept[0]!.kernel, dilation: last.kept[0]!.dilation } : null;
      return { layer, name, grids, chosen };
    });

  return { kernels, dilations, columns, rows };
}

/**
 * Decimals of a softmax percentage that tell a ranking's scores apart (early in a search they differ by 0.01%),
 * as the alpha heatmaps write them.
 */
export function rankingDecimals(scores: ReadonlyArray<number | null>): number {
  const values = scores.filter((score): score is number => score !== null && Number.isFinite(score));
  return values.length < 2 ? 1 : percentDecimals(Math.max(...values) - Math.min(...values));
}

/** "24.6%" (softmax, argmax rankings) or "0.031" (damage: the validation metric's rise when removed, perturbation). */
export function scoreValue(selection: string | null, score: number | null, decimals = 1): string {
  if (score === null) return '—';
  return selection === 'perturbation' ? String(Number(score.toPrecision(3))) : `${formatWeight(score, decimals)}%`;
}

/** "softmax 24.6%", "damage 0.031". */
export function scoreText(selection: string | null, score: number | null, decimals = 1): string {
  if (score === null) return 'no score';
  return `${selection === 'perturbation' ? 'damage' : 'softmax'} ${scoreValue(selection, score, decimals)}`;
}

const STATE_TEXT: Record<PatternState, string> = {
  kept: 'kept',
  chosen: 'chosen',
  pruned: 'pruned in this round',
  gone: 'pruned in an earlier round',
  absent: 'not in the search space',
};

/** A cell's tooltip: "k=5, d=3: kept, rank 2 of 8, softmax 14.1%". DASH's selection (round 0) prunes nothing: it chooses. */
export function cellTitle(cell: PatternCell, column: Pick<RoundColumn, 'round' | 'selection'>, grid: readonly PatternCell[][]): string {
  const candidates = grid.flat().filter((c) => c.rank !== null);
  const decimals = rankingDecimals(candidates.map((c) => c.score));
  const ranked = cell.rank === null ? '' : `, rank ${cell.rank} of ${candidates.length}, ${scoreText(column.selection, cell.score, decimals)}`;
  const state = column.round === 0 && cell.state === 'pruned' ? 'not chosen' : STATE_TEXT[cell.state];
  return `k=${cell.kernel}, d=${cell.dilation}: ${state}${ranked}`;
}
