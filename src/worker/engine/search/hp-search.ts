/**
 * HP search on the discretised network (DASH): a grid of lr x dropout x weight decay x momentum, lr-major; every
 * configuration is a short run from one shared initialisation, scored on validation after its last epoch; the
 * grid stops early when a whole lr block brings no improvement over the best before it. Resumable at epoch
 * boundaries of a trial.
 */
import { entriesUnder, hpConfigurations, metricValue, type ArchitectureSpec, type CheckpointTensor, type HpChoice, type HpSearchState, type HpTrialRecord } from '../../../shared/engine/index.ts';
import { buildNetwork } from '../backbones/build.ts';
import { variablesWithRole, type Network } from '../backbones/network.ts';
import { referenceHpBatchFraction, shareSteps } from '../data/batches.ts';
import { evaluate, trainEpoch } from '../train/loop.ts';
import { multiStepFactor } from '../train/schedule.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import { restoreTraining, restoreVariables, snapshotVariables, trainingTensors } from './checkpoint-tensors.ts';
import { evaluationFlops, networkFlops, trainingFlops } from './compute.ts';
import { epochInputs, evaluationInputs } from './loop-inputs.ts';
import { checkpointDue, type RunContext } from './run-context.ts';

export interface HpSearchOutcome {
  hp: HpChoice;
  /** Validation value of the chosen configuration. */
  value: number;
  trials: HpTrialRecord[];
  earlyExit: boolean;
}

/** The label of the shared initialisation: HP trials and the retrained network start from the same weights. */
export const SHARED_INIT_STREAM = 'hp/init';

/** The network of `spec` at the shared initialisation. */
export function buildSharedInit(ctx: RunContext, spec: ArchitectureSpec): Network {
  return buildNetwork(spec, ctx.stream(SHARED_INIT_STREAM));
}

function scoreOf(t: HpTrialRecord): number {
  return t.value ?? Number.POSITIVE_INFINITY;
}

/** Best of the trials (all metrics are minimised; a diverged trial counts as +Infinity). */
function bestScore(trials: readonly HpTrialRecord[]): number {
  return trials.reduce((best, t) => Math.min(best, scoreOf(t)), Number.POSITIVE_INFINITY);
}

/**
 * DASH's early exit, checked before trial t: at the start of each new lr block (after the first), stop when the
 * best score so far is no better than the best at the start of the previous block, i.e. the whole last block
 * brought no improvement. Pure, so resumed runs replay it over the recorded trials.
 */
export function lrBlockCheck(
  configs: readonly HpChoice[],
  trials: readonly HpTrialRecord[],
  t: number,
  previousBlockBest: number | null,
): { stop: boolean; previousBlockBest: number | null } {
  if (t === 0 || configs[t]!.lr === configs[t - 1]!.lr) return { stop: false, previousBlockBest };
  const best = bestScore(trials.slice(0, t));
  if (previousBlockBest !== null && !(best < previousBlockBest)) return { stop: true, previousBlockBest };
  return { stop: false, previousBlockBest: best };
}

export async function runHpSearch(ctx: RunContext, state: HpSearchState, restore: CheckpointTensor[] | null): Promise<HpSearchOutcome> {
  const { config, settings } = ctx;
  const h = config.hpSearch;
  const configs = hpConfigurations(h.grid);
  const trials = state.trials.map((t) => ({ ...t }));
  const net = buildSharedInit(ctx, state.spec);
  const initial = await snapshotVariables(net.variables, 'init');
  const weights = variablesWithRole(net, 'weight');
  const batchFraction = h.batchFraction ?? referenceHpBatchFraction(Math.ceil(ctx.train.size / settings.hpBatchSize));
  const steps = shareSteps(ctx.train.size, settings.hpBatchSize, { fraction: batchFraction });
  ctx.emit({ type: 'phase-start', phase: 'hp-search', round: null, epochs: h.epochs, stepsPerEpoch: steps, totalSteps: steps * h.epochs * configs.length });
  const phaseStart = performance.now();
  let stepsTaken = 0;
  let flops = 0;
  let earlyExit = false;
  try {
    let previousBlockBest: number | null = null;
    for (let t = 0; t < configs.length; t++) {
      const hp = configs[t]!;
      if (h.earlyExit) {
        const check = lrBlockCheck(configs, trials, t, previousBlockBest);
        if (check.stop) {
          earlyExit = true;
          break;
        }
        previousBlockBest = check.previousBlockBest;
      }
      if (t < trials.length) continue; // finished before a resume
      const resumeHere = state.current !== null && state.current.trial === t ? state.current : null;
      const record = await runTrial(ctx, net, weights, initial, { trial: t, hp, trials: configs.length, batchFraction, spec: state.spec, done: trials }, resumeHere, resumeHere ? restore : null);
      stepsTaken += record.steps;
      flops += record.flops;
      trials.push(record.trial);
    }
  } finally {
    net.dispose();
  }
  if (trials.every((t) => t.value === null)) throw new Error('HP search: every configuration diverged; lower the learning rates in hpSearch.grid.lr');
  let chosen = trials[0]!;
  for (const t of trials) if (scoreOf(t) < scoreOf(chosen)) chosen = t; // first of equals, as DASH's argwhere
  ctx.emit({ type: 'phase-end', phase: 'hp-search', round: null, steps: stepsTaken, wallMs: performance.now() - phaseStart, flops });
  ctx.emit({ type: 'hp-chosen', hp: chosen.hp, validation: metricValue(ctx.metric, chosen.value!), trialsRun: trials.length, earlyExit });
  return { hp: chosen.hp, value: chosen.value!, trials, earlyExit };
}

interface TrialInput {
  trial: number;
  trials: number;
  hp: HpChoice;
  batchFraction: number;
  spec: ArchitectureSpec;
  done: readonly HpTrialRecord[];
}

async function runTrial(
  ctx: RunContext,
  net: Network,
  weights: ReturnType<typeof variablesWithRole>,
  initial: CheckpointTensor[],
  input: TrialInput,
  resume: { nextEpoch: number } | null,
  restore: CheckpointTensor[] | null,
): Promise<{ trial: HpTrialRecord; steps: number; flops: number }> {
  const { config, settings } = ctx;
  const h = config.hpSearch;
  const { hp } = input;
  const started = performance.now();
  restoreVariables(net.variables, entriesUnder(initial, 'init'));
  const optimizer = new SgdOptimizer([{ lr: hp.lr, parameters: weights }], { momentum: hp.momentum, weightDecay: hp.weightDecay, nesterov: hp.momentum > 0 });
  const forwardFlops = networkFlops(ctx, input.spec);
  let steps = 0;
  let flops = 0;
  let diverged = false;
  try {
    if (restore !== null) restoreTraining(net, optimizer, restore);
    for (let epoch = resume?.nextEpoch ?? 0; epoch < h.epochs; epoch++) {
      ctx.throwIfAborted();
      const epochStart = performance.now();
      const lrFactor = multiStepFactor(epoch, settings.hpMilestones, h.gamma);
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `hp/t${input.trial}/epoch${epoch}`),
        net,
        optimizer,
        trainable: weights,
        batchSize: settings.hpBatchSize,
        share: { fraction: input.batchFraction },
        lrFactor,
        dropout: hp.dropout,
        clipNorm: h.clipNorm,
        alphaGradient: null,
      });
      steps += outcome.steps;
      flops += trainingFlops(forwardFlops, outcome.samples);
      if (outcome.diverged) {
        diverged = true;
        break;
      }
      ctx.emit({ type: 'epoch', phase: 'hp-search', round: null, trial: input.trial, epoch, epochs: h.epochs, steps: outcome.steps, lr: hp.lr * lrFactor, trainLoss: outcome.meanLoss, validation: null, wallMs: performance.now() - epochStart });
      if (checkpointDue(config, epoch + 1)) {
        await ctx.checkpoint(
          { phase: 'hp-search', spec: input.spec, trials: [...input.done], current: { trial: input.trial, nextEpoch: epoch + 1 } },
          await trainingTensors(net, optimizer),
          { phase: 'hp-search', round: null, trial: input.trial, epoch: epoch + 1 },
        );
      }
    }
  } finally {
    optimizer.dispose();
  }
  const value = diverged
    ? null
    : await evaluate({ ...evaluationInputs(ctx, net, `hp/t${input.trial}/eval`), reader: ctx.validation });
  if (!diverged) flops += evaluationFlops(forwardFlops, ctx.validation.size);
  const trial: HpTrialRecord = { trial: input.trial, hp, value, diverged };
  ctx.emit({ type: 'hp-trial', trial: input.trial, trials: input.trials, hp, validation: value === null ? null : metricValue(ctx.metric, value), diverged, wallMs: performance.now() - started });
  return { trial, steps, flops };
}

