/**
 * P-DASH's architecture stage (docs/ALGORITHM.md section 4): rounds of DASH search over progressively pruned candidate
 * lists. Round 1 searches the full space; after every round but the last each layer keeps its best candidates (by
 * softmax(alpha) or by the damage of removing them), the surviving weights (and all non-searched weights and
 * norm statistics) are carried into a supernet rebuilt over the survivors (its own aggregated kernel size and
 * field penalties per layer), alphas start afresh, and the next round searches. The last round's selection fixes
 * one pattern per layer. Every round has its own learning-rate schedule (the search milestones count from the
 * round's first epoch). Resumable mid-round (epoch checkpoints) and between rounds (the survivors' weights travel
 * in the checkpoint under `carry/`).
 */
import { entriesUnder, gridPatterns, planPdash, roundLength, roundMilestones, searchableLayerCount, uniformSearchSpaces, type CheckpointTensor, type KernelPattern, type LayerSearchSpaces, type PdashPlan, type SearchState, type SelectState } from '../../../shared/engine/index.ts';
import type { Network } from '../backbones/network.ts';
import { assignMatching } from './checkpoint-tensors.ts';
import { restoreSelectSupernet } from './perturbation.ts';
import type { RunContext } from './run-context.ts';
import { pruneRound, selectFinal } from './selection-phase.ts';
import { runSearchPhase } from './supernet-search.ts';

/** The rounds this run searches; an impossible plan (a schedule that does not fit the grid) is refused. */
export function pdashPlan(ctx: RunContext): PdashPlan {
  const plan = planPdash(gridPatterns(ctx.settings.grid).length, ctx.config.pdash, ctx.config.search);
  if (!plan.ok) throw new Error(`P-DASH: ${plan.error}`);
  return plan.value;
}

export function initialPdashState(ctx: RunContext): SearchState {
  pdashPlan(ctx); // refuse an impossible schedule before any work
  return { phase: 'search', round: 1, spaces: uniformSearchSpaces(ctx.settings.grid, searchableLayerCount(ctx.settings.backbone)), nextEpoch: 0 };
}

export async function searchPdash(ctx: RunContext, state: SearchState | SelectState, restore: CheckpointTensor[] | null): Promise<KernelPattern[]> {
  const plan = pdashPlan(ctx);
  if (state.phase === 'select') {
    const net = restoreSelectSupernet(ctx, state, restore ?? []);
    return selectFinal(ctx, net, { round: state.round, rounds: plan.rounds, spaces: state.spaces, resume: state });
  }
  if (state.round === null || state.round < 1 || state.round > plan.rounds) throw new Error(`P-DASH: cannot resume round ${String(state.round)} of ${plan.rounds}`);
  const resumeMidRound = restore !== null && entriesUnder(restore, 'net').length > 0;
  let carry = restore === null ? [] : entriesUnder(restore, 'carry');
  let spaces: LayerSearchSpaces = state.spaces;
  let startEpoch = state.nextEpoch;
  for (let round = state.round; round <= plan.rounds; round++) {
    checkRoundSpaces(spaces, plan.sizes[round - 1]!, round);
    const survivorsOfLastRound = carry;
    const net = await runSearchPhase(ctx, {
      round,
      spaces,
      epochs: roundLength(plan, round),
      warmupEpochs: round === 1 ? plan.warmupEpochs : 0,
      milestones: roundMilestones(ctx.settings.searchMilestones, ctx.config.search.epochs, roundLength(plan, round)),
      startEpoch,
      restore: round === state.round && resumeMidRound ? restore : null,
      ...(survivorsOfLastRound.length > 0 ? { carryOver: (n: Network) => carrySurvivors(n, survivorsOfLastRound) } : {}),
    });
    if (round === plan.rounds) return selectFinal(ctx, net, { round, rounds: plan.rounds, spaces, resume: null });
    try {
      ({ spaces, carry } = await pruneRound(ctx, net, round, plan.rounds, plan.sizes[round]!));
    } finally {
      net.dispose();
    }
    startEpoch = 0;
    await ctx.checkpoint(
      { phase: 'search', round: round + 1, spaces, nextEpoch: 0 },
      carry.map((t) => ({ ...t, name: `carry/${t.name}` })),
      { phase: 'select', round, trial: null, epoch: roundLength(plan, round) },
    );
  }
  throw new Error('P-DASH: the rounds ended without a selection');
}

/** Carries the last round's surviving weights into a freshly built round supernet; only alphas start anew. */
export function carrySurvivors(net: Network, carry: readonly CheckpointTensor[]): void {
  const missing = assignMatching(net.variables, carry).filter((v) => v.role !== 'alpha');
  if (missing.length > 0) throw new Error(`P-DASH: no carried-over value for ${missing.map((v) => v.name).join(', ')}`);
}

function checkRoundSpaces(spaces: LayerSearchSpaces, size: number, round: number): void {
  spaces.forEach((patterns, layer) => {
    if (patterns.length !== size) throw new Error(`P-DASH: round ${round} expects ${size} candidates per layer, layer ${layer} has ${patterns.length}`);
  });
}
