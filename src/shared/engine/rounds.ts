/**
 * P-DASH's round arithmetic (docs/ALGORITHM.md section 4): how many candidate patterns per layer each round searches,
 * and for how many epochs. One definition for the engine (which refuses an impossible plan before any work), the
 * new-experiment form (which shows the plan and says what is wrong beside the field) and the monitor.
 */
import type { PdashConfig } from './config.ts';
import type { Outcome } from './outcome.ts';
import type { SearchSpaceGrid } from './search-space.ts';

export interface PdashPlan {
  /** Candidates per layer searched in each round, then the final 1 (e.g. [16, 8, 4, 1]: three rounds). */
  sizes: number[];
  rounds: number;
  /** Search epochs of every round in which alpha learns. */
  roundEpochs: number;
  /** Weight-only epochs before round 1's alpha learning (search.warmupEpochs); later rounds start from trained weights. */
  warmupEpochs: number;
}

/** The search settings the round plan reads: a number is search.epochs with no warm-up. */
export type RoundSearchBudget = number | { epochs: number; warmupEpochs: number };

const budgetOf = (search: RoundSearchBudget): { epochs: number; warmupEpochs: number } => (typeof search === 'number' ? { epochs: search, warmupEpochs: 0 } : search);

/** Epochs round `round` (1-based) runs: its alpha epochs, plus the warm-up in round 1. */
export function roundLength(plan: Pick<PdashPlan, 'roundEpochs' | 'warmupEpochs'>, round: number): number {
  return plan.roundEpochs + (round === 1 ? plan.warmupEpochs : 0);
}

/**
 * A round's learning-rate milestones: the search's milestones scaled from its `searchEpochs` to the round's
 * length, so every round runs the search's schedule in miniature (quick's decay at 4 of 8 epochs falls at 2 of
 * a 4-epoch round). Milestones that land at 0 or at or beyond the round's end are dropped.
 */
export function roundMilestones(milestones: readonly number[], searchEpochs: number, length: number): number[] {
  const out: number[] = [];
  for (const m of milestones) {
    const at = Math.round((m * length) / Math.max(1, searchEpochs));
    if (at >= 1 && at < length && at !== out.at(-1)) out.push(at);
  }
  return out;
}

/** "4 kernel sizes × 4 dilations" */
export function gridText(grid: SearchSpaceGrid): string {
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `${plural(grid.kernels.length, 'kernel size')} × ${plural(grid.dilations.length, 'dilation')}`;
}

/** "16 → 8 → 4 → 1" */
export function sizesText(sizes: readonly number[]): string {
  return sizes.join(' → ');
}

/**
 * Candidate counts of every round's search space, then the final 1: from `schedule` as given, or `rounds` rounds
 * keeping ceil(n * keepFraction) of n candidates after each round but the last, which keeps one. Or why these
 * settings cannot prune this many patterns (`grid` only words the message).
 */
export function planRoundSizes(patterns: number, settings: Pick<PdashConfig, 'schedule' | 'rounds' | 'keepFraction'>, grid?: SearchSpaceGrid): Outcome<number[]> {
  const space = grid === undefined ? `${patterns} patterns per layer` : `${patterns} patterns per layer (${gridText(grid)})`;
  if (!Number.isInteger(patterns) || patterns < 2) {
    return { ok: false, error: `P-DASH prunes between rounds, so it needs at least 2 candidate patterns per layer; this search space has ${space}.` };
  }
  const { schedule } = settings;
  if (schedule !== null) {
    if (schedule[0] !== patterns) {
      const example = [patterns, Math.max(2, Math.ceil(patterns / 4)), 1].filter((v, i, all) => all.indexOf(v) === i).join(',');
      return { ok: false, error: `The schedule starts at the search space's ${space}: e.g. ${example}.` };
    }
    if (schedule.length < 2 || schedule.at(-1) !== 1) return { ok: false, error: `The last round keeps one pattern per layer: end the schedule at 1, e.g. ${patterns},1.` };
    if (schedule.some((value, index) => index > 0 && value >= schedule[index - 1]!)) return { ok: false, error: 'Each round keeps fewer patterns than the one before.' };
    return { ok: true, value: [...schedule] };
  }
  const sizes = [patterns];
  for (let round = 1; round < settings.rounds; round++) {
    const previous = sizes[round - 1]!;
    const next = Math.ceil(previous * settings.keepFraction);
    if (next < 2 || next >= previous) {
      return {
        ok: false,
        error: `Keeping ${settings.keepFraction} of ${previous} patterns leaves ${next} for round ${round + 1} of ${settings.rounds}: choose fewer rounds, another keep fraction, or a schedule.`,
      };
    }
    sizes.push(next);
  }
  sizes.push(1);
  return { ok: true, value: sizes };
}

/** Alpha epochs of each round: as set, else half of DASH's alpha epochs (search epochs after the warm-up), rounded up. */
export function roundEpochsOf(settings: Pick<PdashConfig, 'roundEpochs'>, search: RoundSearchBudget): number {
  const { epochs, warmupEpochs } = budgetOf(search);
  return settings.roundEpochs ?? Math.max(1, Math.ceil((epochs - warmupEpochs) / 2));
}

export function planPdash(patterns: number, settings: Pick<PdashConfig, 'schedule' | 'rounds' | 'keepFraction' | 'roundEpochs'>, search: RoundSearchBudget, grid?: SearchSpaceGrid): Outcome<PdashPlan> {
  const sizes = planRoundSizes(patterns, settings, grid);
  if (!sizes.ok) return sizes;
  return { ok: true, value: { sizes: sizes.value, rounds: sizes.value.length - 1, roundEpochs: roundEpochsOf(settings, search), warmupEpochs: budgetOf(search).warmupEpochs } };
}
