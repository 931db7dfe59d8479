/**
 * Retraining and the final test: train the chosen architecture with the chosen HPs from the shared
 * initialisation, keep the weights that are best on validation (never chosen on test), then evaluate on test
 * exactly once. Resumable at epoch boundaries (the best weights travel in the checkpoint).
 */
import { architectureCost } from '../arch/cost.ts';
import { archId, entriesUnder, metricValue, type CheckpointTensor, type ResultEvent, type RetrainState } from '../../../shared/engine/index.ts';
import { variablesWithRole } from '../backbones/network.ts';
import { shareSteps } from '../data/batches.ts';
import { evaluate, trainEpoch } from '../train/loop.ts';
import { multiStepFactor } from '../train/schedule.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import { restoreTraining, restoreVariables, snapshotVariables, trainingTensors } from './checkpoint-tensors.ts';
import { buildSharedInit } from './hp-search.ts';
import { evaluationFlops, networkFlops, trainingFlops } from './compute.ts';
import { epochInputs, evaluationInputs } from './loop-inputs.ts';
import { checkpointDue, type RunContext } from './run-context.ts';

export type RunResult = Omit<ResultEvent, 'type'>;

export async function runRetrainAndTest(ctx: RunContext, state: RetrainState, restore: CheckpointTensor[] | null): Promise<RunResult> {
  const { config, settings } = ctx;
  const r = config.retrain;
  const { hp, spec } = state;
  const net = buildSharedInit(ctx, spec);
  const weights = variablesWithRole(net, 'weight');
  const optimizer = new SgdOptimizer([{ lr: hp.lr, parameters: weights }], { momentum: hp.momentum, weightDecay: hp.weightDecay, nesterov: hp.momentum > 0 });
  let best = state.best;
  let bestWeights: CheckpointTensor[] | null = null;
  try {
    // The checkpoint at epoch 0 (written when HP search ends) holds no tensors: retraining starts from the shared
    // initialisation, resumed or not. Only a later epoch has weights to read.
    if (state.nextEpoch > 0) {
      if (restore === null || entriesUnder(restore, 'net').length === 0) {
        throw new Error(`resume: the checkpoint stands at retraining epoch ${state.nextEpoch} but holds no network weights; it is damaged: move it away and resume to start the run over`);
      }
      restoreTraining(net, optimizer, restore);
      const stored = entriesUnder(restore, 'best');
      bestWeights = stored.length > 0 ? stored.map((t) => ({ ...t, name: `best/${t.name}` })) : null;
    }
    const steps = shareSteps(ctx.train.size, settings.retrainBatchSize, { fraction: 1 });
    ctx.emit({ type: 'phase-start', phase: 'retrain', round: null, epochs: r.epochs, stepsPerEpoch: steps, totalSteps: steps * r.epochs });
    const phaseStart = performance.now();
    const forwardFlops = networkFlops(ctx, spec);
    let stepsTaken = 0;
    let flops = 0;
    for (let epoch = state.nextEpoch; epoch < r.epochs; epoch++) {
      ctx.throwIfAborted();
      const started = performance.now();
      const lrFactor = multiStepFactor(epoch, settings.retrainMilestones, r.gamma);
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `retrain/epoch${epoch}`),
        net,
        optimizer,
        trainable: weights,
        batchSize: settings.retrainBatchSize,
        share: { fraction: 1 },
        lrFactor,
        dropout: hp.dropout,
        clipNorm: r.clipNorm,
        alphaGradient: null,
      });
      stepsTaken += outcome.steps;
      flops += trainingFlops(forwardFlops, outcome.samples);
      if (outcome.diverged) {
        if (best === null) throw new Error(`retraining diverged (non-finite loss) in epoch ${epoch} before any validation; choose a lower learning rate`);
        break; // keep the best weights validated so far
      }
      let validation = null;
      if ((epoch + 1) % r.validateEvery === 0 || epoch === r.epochs - 1) {
        const value = await evaluate({ ...evaluationInputs(ctx, net, `retrain/epoch${epoch}/eval`), reader: ctx.validation });
        flops += evaluationFlops(forwardFlops, ctx.validation.size);
        validation = metricValue(ctx.metric, value);
        // Ties go to the later epoch, as in DASH's reference.
        if (best === null || value <= best.value) {
          best = { value, epoch };
          bestWeights = await snapshotVariables(net.variables, 'best');
        }
      }
      ctx.emit({ type: 'epoch', phase: 'retrain', round: null, trial: null, epoch, epochs: r.epochs, steps: outcome.steps, lr: hp.lr * lrFactor, trainLoss: outcome.meanLoss, validation, wallMs: performance.now() - started });
      if (checkpointDue(config, epoch + 1)) {
        await ctx.checkpoint({ ...state, nextEpoch: epoch + 1, best }, [...(await trainingTensors(net, optimizer)), ...(bestWeights ?? [])], { phase: 'retrain', round: null, trial: null, epoch: epoch + 1 });
      }
    }
    ctx.emit({ type: 'phase-end', phase: 'retrain', round: null, steps: stepsTaken, wallMs: performance.now() - phaseStart, flops });
    if (best === null || bestWeights === null) throw new Error('retraining ended without a validated checkpoint');

    ctx.throwIfAborted();
    ctx.emit({ type: 'phase-start', phase: 'test', round: null, epochs: 0, stepsPerEpoch: 0, totalSteps: 0 });
    const testStart = performance.now();
    restoreVariables(net.variables, entriesUnder(bestWeights, 'best'));
    const testValue = await evaluate({ ...evaluationInputs(ctx, net, 'test/eval'), reader: ctx.test });
    ctx.emit({ type: 'phase-end', phase: 'test', round: null, steps: 0, wallMs: performance.now() - testStart, flops: evaluationFlops(forwardFlops, ctx.test.size) });
    const cost = architectureCost(spec, ctx.task.inputShape.slice(0, -1));
    const result: RunResult = {
      metric: metricValue(ctx.metric, testValue),
      validation: metricValue(ctx.metric, best.value),
      bestEpoch: best.epoch,
      archId: archId(spec),
      spec,
      hp,
      parameters: cost.parameters,
      flops: cost.flops,
      wallMs: ctx.elapsedMs(),
    };
    ctx.emit({ type: 'result', ...result });
    return result;
  } finally {
    optimizer.dispose();
    net.dispose();
  }
}
