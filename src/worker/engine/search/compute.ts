/**
 * Compute accounting: FLOP estimates of what a phase trains and evaluates, so that methods can be compared at
 * equal compute (docs/ALGORITHM.md section 9). A training step costs three forward passes per sample (forward,
 * input gradient, weight gradient), an evaluation one; per-sample forward costs come from arch/cost.ts.
 */
import type { ArchitectureSpec, LayerSearchSpaces } from '../../../shared/engine/index.ts';
import { architectureCost, supernetForwardFlops, TRAINING_FLOPS_PER_FORWARD } from '../arch/cost.ts';
import { searchShare, shareSamples } from '../data/batches.ts';
import type { RunContext } from './run-context.ts';

/** Spatial size of one input sample ([L] or [H, W]). */
export function inputSize(ctx: RunContext): number[] {
  return ctx.task.inputShape.slice(0, -1);
}

/** Forward FLOPs per sample of the search supernet over `spaces`. */
export function supernetFlops(ctx: RunContext, spaces: LayerSearchSpaces): number {
  return supernetForwardFlops(ctx.shape(ctx.config.search.widthFactor), spaces, inputSize(ctx));
}

/** Forward FLOPs per sample of a discrete network. */
export function networkFlops(ctx: RunContext, spec: ArchitectureSpec): number {
  return architectureCost(spec, inputSize(ctx)).flops;
}

export function trainingFlops(forwardFlops: number, samples: number): number {
  return TRAINING_FLOPS_PER_FORWARD * forwardFlops * samples;
}

export function evaluationFlops(forwardFlops: number, samples: number): number {
  return forwardFlops * samples;
}

/** Samples one search epoch trains on (its share of the shuffled batches, or its fixed number of steps). */
export function searchEpochSamples(ctx: RunContext): number {
  return shareSamples(ctx.train.size, ctx.settings.searchBatchSize, searchShare(ctx.config.search));
}
