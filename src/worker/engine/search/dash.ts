/**
 * DASH's architecture stage (docs/ALGORITHM.md section 3): one supernet search over the full space, then one pattern per
 * layer by argmax or perturbation. The rest of the pipeline (HP search, retraining, test) is run-method.ts's.
 */
import type { CheckpointTensor, KernelPattern, SearchState, SelectState } from '../../../shared/engine/index.ts';
import { restoreSelectSupernet } from './perturbation.ts';
import type { RunContext } from './run-context.ts';
import { selectFinal } from './selection-phase.ts';
import { runSearchPhase } from './supernet-search.ts';

export async function searchDash(ctx: RunContext, state: SearchState | SelectState, restore: CheckpointTensor[] | null): Promise<KernelPattern[]> {
  if (state.phase === 'select') {
    const net = restoreSelectSupernet(ctx, state, restore ?? []);
    return selectFinal(ctx, net, { round: null, rounds: 1, spaces: state.spaces, resume: state });
  }
  const net = await runSearchPhase(ctx, { round: null, spaces: state.spaces, epochs: ctx.config.search.epochs, warmupEpochs: ctx.config.search.warmupEpochs, milestones: ctx.settings.searchMilestones, startEpoch: state.nextEpoch, restore });
  return selectFinal(ctx, net, { round: null, rounds: 1, spaces: state.spaces, resume: null });
}
