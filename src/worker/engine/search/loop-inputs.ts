/**
 * What every phase passes to `trainEpoch` and `evaluate` the same way: the run's training split and loss, an
 * epoch's two random streams, the validation settings and the cancel signal. Each phase adds only what is its
 * own (optimiser, batch size, learning-rate factor, dropout, clipping).
 */
import type { Network } from '../backbones/network.ts';
import type { EvaluateOptions, TrainEpochOptions } from '../train/loop.ts';
import type { RunContext } from './run-context.ts';

export type EpochInputs = Pick<TrainEpochOptions, 'reader' | 'loss' | 'shuffleRng' | 'forwardRng' | 'signal'>;

/**
 * The training split, loss and signal, with the epoch's streams forked from `ctx.stream(label)`: 'shuffle'
 * first, then 'forward' (forking draws from the parent, so the order is part of every result).
 */
export function epochInputs(ctx: RunContext, label: string): EpochInputs {
  const rng = ctx.stream(label);
  const shuffleRng = rng.fork('shuffle');
  const forwardRng = rng.fork('forward');
  return { reader: ctx.train, loss: ctx.loss, shuffleRng, forwardRng, ...(ctx.hooks.signal ? { signal: ctx.hooks.signal } : {}) };
}

/** Evaluation of `net` under the run's metric, batch size and target scaling, with its stream from `label`; the caller picks the split. */
export function evaluationInputs(ctx: RunContext, net: Network, label: string): Omit<EvaluateOptions, 'reader'> {
  return {
    net,
    batchSize: ctx.config.evalBatchSize,
    metric: ctx.metric,
    ...(ctx.task.numClasses !== undefined ? { numClasses: ctx.task.numClasses } : {}),
    ...(ctx.dataset.targetNormalization ? { normalization: ctx.dataset.targetNormalization } : {}),
    rng: ctx.stream(label),
    ...(ctx.hooks.signal ? { signal: ctx.hooks.signal } : {}),
  };
}
