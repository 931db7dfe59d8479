/**
 * P-DASH's pruning arithmetic, pure: how many candidates each round searches, how a layer's candidates rank by a
 * score, and which of them survive. The round loop (pdash.ts) supplies the scores: softmax(alpha) or the damage
 * of removing a pattern (perturbation.ts).
 */
import type { KernelPattern } from '../arch/search-space.ts';
import type { PatternScore, RoundLayer } from '../events.ts';
import type { PdashConfig } from './config.ts';

/**
 * Candidate counts of every round's search space, then the final 1 (e.g. [16, 8, 4, 1]: three rounds). From
 * `schedule` as given, or `rounds` rounds keeping ceil(n * keepFraction) of n candidates after each round but the
 * last, which keeps one.
 */
export function roundSizes(patterns: number, p: PdashConfig): number[] {
  if (!Number.isInteger(patterns) || patterns < 2) throw new Error(`P-DASH: needs at least 2 candidate patterns per layer, the search space has ${patterns}`);
  if (p.schedule !== null) {
    if (p.schedule[0] !== patterns) {
      throw new Error(`P-DASH: pdash.schedule [${p.schedule.join(', ')}] must start at the search space's ${patterns} patterns per layer`);
    }
    return [...p.schedule];
  }
  const sizes = [patterns];
  for (let r = 1; r < p.rounds; r++) {
    const previous = sizes[r - 1]!;
    const next = Math.ceil(previous * p.keepFraction);
    if (next < 2 || next >= previous) {
      throw new Error(
        `P-DASH: keeping ${p.keepFraction} of ${previous} candidates leaves ${next} for round ${r + 1} of ${p.rounds}; ` +
          `choose fewer pdash.rounds, another pdash.keepFraction or an explicit pdash.schedule`,
      );
    }
    sizes.push(next);
  }
  sizes.push(1);
  return sizes;
}

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
