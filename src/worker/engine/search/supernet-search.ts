/**
 * The search phase: single-level DASH search of a supernet. Each step trains weights and alphas on the same
 * minibatch with Gumbel-softmax coefficients; alphas get DASH's gradient rescaling and field-size penalty; all
 * gradients are clipped together; SGD Nesterov for both groups with their own learning rates. Each epoch uses
 * the first share of the shuffled batches. Resumable at epoch boundaries; a P-DASH round is a search phase with
 * `round` set and its own (pruned) candidate lists.
 */
import type { CheckpointTensor, LayerSearchSpaces } from '../../../shared/engine/index.ts';
import { buildSupernet } from '../backbones/build.ts';
import { searchShare, shareSteps } from '../data/batches.ts';
import { variablesWithRole, type Network } from '../backbones/network.ts';
import { trainEpoch } from '../train/loop.ts';
import { multiStepFactor } from '../train/schedule.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import { restoreTraining, trainingTensors } from './checkpoint-tensors.ts';
import { supernetFlops, trainingFlops } from './compute.ts';
import { epochInputs } from './loop-inputs.ts';
import { checkpointDue, type RunContext } from './run-context.ts';
import { alphaSnapshot } from './select.ts';

export interface SearchPhaseInput {
  /** P-DASH round (1-based) or null for DASH's single search. */
  round: number | null;
  spaces: LayerSearchSpaces;
  epochs: number;
  /** The first epochs train the weights only; alpha stays where it starts (search.warmupEpochs). */
  warmupEpochs: number;
  /** The phase's learning-rate milestones (DASH: the search's; P-DASH: scaled into the round). */
  milestones: readonly number[];
  /** Epochs already done (resuming) and the tensors to restore; 0 and null for a fresh start. */
  startEpoch: number;
  restore: CheckpointTensor[] | null;
  /** Optional initial values by variable name (P-DASH carries surviving weights); applied before `restore`. */
  carryOver?: (net: Network) => void;
}

/** Runs the search and returns the trained supernet; the caller disposes it. */
export async function runSearchPhase(ctx: RunContext, input: SearchPhaseInput): Promise<Network> {
  const { config, settings } = ctx;
  const s = config.search;
  const label = input.round === null ? 'search' : `search/r${input.round}`;
  const net = buildSupernet(ctx.shape(s.widthFactor), input.spaces, { temperature: s.temperature, ...(s.mixtureMethod === null ? {} : { method: s.mixtureMethod }) }, ctx.stream(`${label}/init`));
  const weights = variablesWithRole(net, 'weight');
  const alphas = variablesWithRole(net, 'alpha');
  const optimizer = new SgdOptimizer(
    [
      { lr: settings.lrWeights, parameters: weights },
      { lr: settings.lrAlpha, parameters: alphas },
    ],
    { momentum: s.momentum, weightDecay: s.weightDecay, nesterov: s.momentum > 0 },
  );
  try {
    input.carryOver?.(net);
    if (input.restore !== null) restoreTraining(net, optimizer, input.restore);
    const steps = shareSteps(ctx.train.size, settings.searchBatchSize, searchShare(s));
    ctx.emit({ type: 'phase-start', phase: 'search', round: input.round, epochs: input.epochs, stepsPerEpoch: steps, totalSteps: steps * input.epochs });
    const phaseStart = performance.now();
    const forwardFlops = supernetFlops(ctx, input.spaces);
    let stepsTaken = 0;
    let flops = 0;
    for (let epoch = input.startEpoch; epoch < input.epochs; epoch++) {
      ctx.throwIfAborted();
      const started = performance.now();
      const lrFactor = multiStepFactor(epoch, input.milestones, s.gamma);
      const warmingUp = epoch < input.warmupEpochs;
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `${label}/epoch${epoch}`),
        net,
        optimizer,
        trainable: warmingUp ? weights : [...weights, ...alphas],
        batchSize: settings.searchBatchSize,
        share: searchShare(s),
        lrFactor,
        dropout: 0,
        clipNorm: s.clipNorm,
        alphaGradient: warmingUp ? null : { scale: s.alphaGradScale, penalty: settings.fieldPenalty, densePrediction: settings.densePrediction },
      });
      stepsTaken += outcome.steps;
      flops += trainingFlops(forwardFlops, outcome.samples);
      if (outcome.diverged) {
        throw new Error(`search diverged (non-finite loss) in epoch ${epoch}${input.round === null ? '' : ` of round ${input.round}`}; lower search.lrWeights / search.lrAlpha or keep gradient clipping on`);
      }
      ctx.emit({
        type: 'epoch',
        phase: 'search',
        round: input.round,
        trial: null,
        epoch,
        epochs: input.epochs,
        steps: outcome.steps,
        lr: settings.lrWeights * lrFactor,
        trainLoss: outcome.meanLoss,
        validation: null,
        wallMs: performance.now() - started,
      });
      ctx.emit({ type: 'alpha', round: input.round, epoch, layers: await alphaSnapshot(net) });
      if (checkpointDue(config, epoch + 1)) {
        await ctx.checkpoint({ phase: 'search', round: input.round, spaces: input.spaces, nextEpoch: epoch + 1 }, await trainingTensors(net, optimizer), { phase: 'search', round: input.round, trial: null, epoch: epoch + 1 });
      }
    }
    ctx.emit({ type: 'phase-end', phase: 'search', round: input.round, steps: stepsTaken, wallMs: performance.now() - phaseStart, flops });
    return net;
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
}
