/**
 * P-DASH's pruning, pure: how a layer's candidates rank by a score, and which of them survive (how many each round
 * keeps is the vocabulary's, shared/engine/rounds.ts). The round loop (pdash.ts) supplies the scores: softmax(alpha) or the damage
 * of removing a pattern (perturbation.ts).
 */
import type { KernelPattern, PatternScore, RoundLayer } from '../../../shared/engine/index.ts';

/**
 * Candidate indices best first: by score (larger first; non-finite scores last), then by the tie-break score when
 * given (larger first), then by index.
 */
export function rankCandidates(scores: readonly number[], tieBreak: readonly number[] | null = null): number[] {
  const key = (x: number | undefined): number => (x !== undefined && Number.isFinite(x) ? x : Number.NEGATIVE_INFINITY);
  return scores
    .map((_, i) => i)
    .sort((a, b) => {
      const byScore = key(scores[b]) - key(scores[a]);
      if (byScore !== 0 && !Number.isNaN(byScore)) return byScore;
      if (tieBreak !== null) {
        const byTie = key(tieBreak[b]) - key(tieBreak[a]);
        if (byTie !== 0 && !Number.isNaN(byTie)) return byTie;
      }
      return a - b;
    });
}

/** The `keep` best candidates, in the layer's own order (the next round's candidate list). */
export function survivors(patterns: readonly KernelPattern[], ranking: readonly number[], keep: number): KernelPattern[] {
  if (!Number.isInteger(keep) || keep < 1 || keep > patterns.length) throw new Error(`prune: cannot keep ${keep} of ${patterns.length} candidates`);
  const kept = new Set(ranking.slice(0, keep));
  return patterns.filter((_, i) => kept.has(i)).map((p) => ({ kernel: p.kernel, dilation: p.dilation }));
}

function finiteOrNull(x: number | undefined): number | null {
  return x !== undefined && Number.isFinite(x) ? x : null;
}

/** What a round event reports for one layer: the ranking with its scores, the kept and the pruned candidates. */
export function roundLayer(layer: number, name: string, patterns: readonly KernelPattern[], scores: readonly number[], ranking: readonly number[], keep: number): RoundLayer {
  const kept = survivors(patterns, ranking, keep);
  const keptIndices = new Set(ranking.slice(0, keep));
  const entry = (i: number): PatternScore => ({ kernel: patterns[i]!.kernel, dilation: patterns[i]!.dilation, score: finiteOrNull(scores[i]) });
  return {
    layer,
    name,
    ranking: ranking.map(entry),
    kept,
    pruned: ranking.filter((i) => !keptIndices.has(i)).map((i) => ({ kernel: patterns[i]!.kernel, dilation: patterns[i]!.dilation })),
  };
}
