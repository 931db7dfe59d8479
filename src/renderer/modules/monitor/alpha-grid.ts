/**
 * A layer's architecture weights as a kernel × dilation grid: softmax(alpha) per pattern, with the patterns a
 * layer once had and no longer has (P-DASH prunes between rounds) marked as pruned rather than dropped.
 */
import type { AlphaSnapshot } from '../../stores/runs.ts';

export type AlphaLayer = AlphaSnapshot['layers'][number];

export interface AlphaCell {
  kernel: number;
  dilation: number;
  /** softmax weight, or null for a pattern not in this snapshot. */
  weight: number | null;
  alpha: number | null;
  /** In the layer's first snapshot but not in this one. */
  pruned: boolean;
  /** This snapshot's largest weight: the pattern argmax selection would choose now. */
  leading: boolean;
  /** 0 (smallest weight in the layer) … 1 (largest), for shading; null when there is no weight. */
  shade: number | null;
}

export interface AlphaGrid {
  layer: number;
  name: string;
  kernels: number[];
  dilations: number[];
  /** rows (kernels) × columns (dilations). */
  cells: AlphaCell[][];
  /** Patterns in this snapshot. */
  candidates: number;
  /** Decimals that tell the weights apart when shown in percent (early in a search they differ by 0.01%). */
  decimals: number;
}

/**
 * Decimals of a percentage that tell weights spread over `spread` (a fraction) apart: one digit finer than
 * the spread itself, so that the values between its ends differ too; between 1 and 3.
 */
export function percentDecimals(spread: number): number {
  if (!(spread > 0)) return 1;
  return Math.min(3, Math.max(1, Math.ceil(-Math.log10(spread * 100)) + 1));
}

export function formatWeight(weight: number, decimals: number): string {
  return (weight * 100).toFixed(decimals);
}

const sorted = (values: Iterable<number>): number[] => [...new Set(values)].sort((a, b) => a - b);

export function alphaGrid(layer: AlphaLayer, initial: AlphaLayer | undefined): AlphaGrid {
  const all = [...layer.patterns, ...(initial?.patterns ?? [])];
  const kernels = sorted(all.map((p) => p.kernel));
  const dilations = sorted(all.map((p) => p.dilation));
  const weights = new Map<string, { weight: number; alpha: number }>();
  layer.patterns.forEach((pattern, index) => {
    weights.set(`${pattern.kernel}/${pattern.dilation}`, { weight: layer.softmax[index] ?? Number.NaN, alpha: layer.alpha[index] ?? Number.NaN });
  });
  const initialKeys = new Set((initial?.patterns ?? []).map((p) => `${p.kernel}/${p.dilation}`));
  const values = [...weights.values()].map((w) => w.weight).filter(Number.isFinite);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const cells = kernels.map((kernel) =>
    dilations.map((dilation): AlphaCell => {
      const key = `${kernel}/${dilation}`;
      const found = weights.get(key);
      const weight = found?.weight ?? null;
      return {
        kernel,
        dilation,
        weight,
        alpha: found?.alpha ?? null,
        pruned: found === undefined && initialKeys.has(key),
        leading: weight !== null && values.length > 0 && weight === max,
        shade: weight === null || !Number.isFinite(weight) ? null : max > min ? (weight - min) / (max - min) : 0.5,
      };
    }),
  );
  return { layer: layer.layer, name: layer.name, kernels, dilations, cells, candidates: layer.patterns.length, decimals: percentDecimals(values.length > 1 ? max - min : 0) };
}

/** Each layer's grid in a snapshot, pruning judged against the run's first snapshot. */
export function alphaGrids(snapshot: AlphaSnapshot, first: AlphaSnapshot | undefined): AlphaGrid[] {
  return snapshot.layers.map((layer) => alphaGrid(layer, first?.layers.find((l) => l.layer === layer.layer)));
}

/** "round 2 · epoch 3" (epochs 1-based for reading; rounds only when the run has them). */
export function snapshotLabel(snapshot: Pick<AlphaSnapshot, 'round' | 'epoch'>, hasRounds: boolean): string {
  return `${hasRounds ? `round ${snapshot.round} · ` : ''}search epoch ${snapshot.epoch + 1}`;
}
