/**
 * Perturbation-based selection (DARTS-PT, docs/ALGORITHM.md section 5). The supernet is evaluated on validation with
 * noise-free coefficients softmax(alpha); a candidate's importance is the damage of removing it: the validation
 * metric with its coefficient set to 0 (all others unchanged) minus the metric without the change. Damage is also
 * measured on the validation loss, which ranks candidates whose metric damage ties (common on small validation
 * sets with a classification error).
 *
 * - `scoreCandidates`: every candidate of the given layers, once (P-DASH's pruning after a round).
 * - `selectByPerturbation`: layers in a seeded random order; each keeps the candidate whose removal hurts most,
 *   is fixed to it (its candidate list becomes that pattern alone, weights carried over), and the supernet's
 *   weights are fine-tuned for `perturbation.tuneEpochs` epochs at `perturbation.tuneLrFactor` times the search's
 *   weight learning rate (alphas frozen, Gumbel coefficients as in search) before the next layer. Resumable
 *   after every fixed layer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { entriesUnder, type CheckpointTensor, type KernelPattern, type LayerDecision, type LayerSearchSpaces, type SelectState } from '../../../shared/engine/index.ts';
import { buildSupernet } from '../backbones/build.ts';
import { variablesWithRole, type CoefficientSource, type Network } from '../backbones/network.ts';
import { evaluateWithLoss, trainEpoch, type Evaluation } from '../train/loop.ts';
import { searchShare, shareSteps } from '../data/batches.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import { assignMatching, restoreVariables, snapshotVariables } from './checkpoint-tensors.ts';
import { evaluationFlops, supernetFlops, trainingFlops } from './compute.ts';
import { epochInputs, evaluationInputs } from './loop-inputs.ts';
import { rankCandidates } from './prune.ts';
import { checkpointDue, type RunContext } from './run-context.ts';

/** softmax(alpha) for every layer, with the coefficient of one candidate set to 0 when `zero` is given. */
export function noiseFreeCoefficients(zero: { layer: number; index: number } | null = null): CoefficientSource {
  return (layer, alpha) =>
    tf.tidy(() => {
      const c = tf.softmax(alpha) as tf.Tensor1D;
      if (zero === null || zero.layer !== layer) return c;
      const mask = new Float32Array(alpha.shape[0]!).fill(1);
      mask[zero.index] = 0;
      return tf.mul(c, tf.tensor1d(mask)) as tf.Tensor1D;
    });
}

export interface CandidateScores {
  layer: number;
  /** Per candidate: metric with it removed minus the metric without (null: a lone candidate, not scored). */
  damage: (number | null)[];
  lossDamage: (number | null)[];
}

export interface Scoring {
  layers: CandidateScores[];
  /** Validation passes made (for compute accounting). */
  evaluations: number;
}

async function validate(ctx: RunContext, net: Network, coefficients: CoefficientSource, label: string): Promise<Evaluation> {
  return evaluateWithLoss({ ...evaluationInputs(ctx, net, label), reader: ctx.validation, coefficients }, ctx.loss);
}

function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Damage scores of every candidate of `layers` (default: all), against one unperturbed evaluation. */
export async function scoreCandidates(ctx: RunContext, net: Network, label: string, layers: readonly number[] = net.searchableLayers.map((l) => l.layer)): Promise<Scoring> {
  const base = await validate(ctx, net, noiseFreeCoefficients(), `${label}/base`);
  let evaluations = 1;
  const scored: CandidateScores[] = [];
  for (const layer of layers) {
    const count = net.searchableLayers[layer]!.patterns.length;
    const damage: (number | null)[] = [];
    const lossDamage: (number | null)[] = [];
    for (let index = 0; index < count; index++) {
      if (count === 1) {
        damage.push(null);
        lossDamage.push(null);
        continue;
      }
      const perturbed = await validate(ctx, net, noiseFreeCoefficients({ layer, index }), `${label}/l${layer}/c${index}`);
      evaluations++;
      damage.push(finiteOrNull(perturbed.value - base.value));
      lossDamage.push(finiteOrNull(perturbed.meanLoss - base.meanLoss));
    }
    scored.push({ layer, damage, lossDamage });
  }
  return { layers: scored, evaluations };
}

/** Candidates best first: largest metric damage, then largest loss damage, then index. */
export function rankByDamage(s: CandidateScores): number[] {
  const key = (xs: (number | null)[]): number[] => xs.map((x) => x ?? Number.NEGATIVE_INFINITY);
  return rankCandidates(key(s.damage), key(s.lossDamage));
}

/** The state a fresh perturbation-based selection starts from: a seeded order of all layers. */
export function initialSelectState(ctx: RunContext, round: number | null, spaces: LayerSearchSpaces): SelectState {
  const order = Array.from(ctx.stream(`${selectLabel(round)}/order`).permutation(spaces.length));
  return { phase: 'select', round, spaces: spaces.map((s) => s.map((p) => ({ ...p }))), order, next: 0, decisions: [] };
}

export function selectLabel(round: number | null): string {
  return round === null ? 'select' : `select/r${round}`;
}

function supernetOptions(ctx: RunContext): { temperature: number; method?: NonNullable<RunContext['config']['search']['mixtureMethod']> } {
  const s = ctx.config.search;
  return { temperature: s.temperature, ...(s.mixtureMethod === null ? {} : { method: s.mixtureMethod }) };
}

/** The supernet of a select state, restored from its checkpoint tensors. */
export function restoreSelectSupernet(ctx: RunContext, state: SelectState, restore: readonly CheckpointTensor[]): Network {
  const net = buildSupernet(ctx.shape(ctx.config.search.widthFactor), state.spaces, supernetOptions(ctx), ctx.stream(`${selectLabel(state.round)}/init${state.next}`));
  try {
    restoreVariables(net.variables, entriesUnder([...restore], 'net'));
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net;
}

export interface PerturbationSelection {
  choices: KernelPattern[];
  decisions: LayerDecision[];
  steps: number;
  flops: number;
}

/**
 * DARTS-PT's sequential selection on `net` (which it takes over and disposes). `state` says which layers are
 * fixed already; checkpoints are written after fixed layers as after epochs (never after the last).
 */
export async function selectByPerturbation(ctx: RunContext, net: Network, state: SelectState): Promise<PerturbationSelection> {
  const label = selectLabel(state.round);
  const spaces = state.spaces.map((l) => l.map((p) => ({ ...p })));
  const decisions = state.decisions.map((d) => ({ ...d, scores: d.scores.map((x) => ({ ...x })) }));
  let steps = 0;
  let flops = 0;
  let current = net;
  try {
    for (let i = state.next; i < state.order.length; i++) {
      ctx.throwIfAborted();
      const layer = state.order[i]!;
      const patterns = spaces[layer]!;
      const scoring = await scoreCandidates(ctx, current, `${label}/step${i}`, [layer]);
      flops += evaluationFlops(supernetFlops(ctx, spaces), scoring.evaluations * ctx.validation.size);
      const scores = scoring.layers[0]!;
      const chosen = rankByDamage(scores)[0]!;
      decisions.push({
        layer,
        chosen,
        scores: patterns.map((p, j) => ({ kernel: p.kernel, dilation: p.dilation, damage: scores.damage[j]!, lossDamage: scores.lossDamage[j]! })),
      });
      spaces[layer] = [{ ...patterns[chosen]! }];
      if (i === state.order.length - 1) break; // the supernet is done with; no fine-tuning after the last layer
      if (patterns.length > 1) {
        const rebuilt = await rebuildWithSpaces(ctx, current, spaces, `${label}/init${i + 1}`);
        current.dispose();
        current = rebuilt;
        const tuned = await fineTune(ctx, current, `${label}/tune${i}`);
        steps += tuned.steps;
        flops += trainingFlops(supernetFlops(ctx, spaces), tuned.samples);
      }
      if (checkpointDue(ctx.config, i + 1)) {
        const next: SelectState = { phase: 'select', round: state.round, spaces, order: state.order, next: i + 1, decisions };
        await ctx.checkpoint(next, await snapshotVariables(current.variables, 'net'), { phase: 'select', round: state.round, trial: null, epoch: i + 1 });
      }
    }
  } finally {
    current.dispose();
  }
  if (decisions.length !== spaces.length) throw new Error(`perturbation selection: ${decisions.length} of ${spaces.length} layers decided`);
  return { choices: spaces.map((l) => ({ ...l[0]! })), decisions, steps, flops };
}

/** A supernet over `spaces` holding `from`'s values wherever name and shape agree (all but a fixed layer's alpha). */
async function rebuildWithSpaces(ctx: RunContext, from: Network, spaces: LayerSearchSpaces, label: string): Promise<Network> {
  const net = buildSupernet(ctx.shape(ctx.config.search.widthFactor), spaces, supernetOptions(ctx), ctx.stream(label));
  const untouched = assignMatching(net.variables, (await snapshotVariables(from.variables, 'net')).map((t) => ({ ...t, name: t.name.slice('net/'.length) })));
  const unexpected = untouched.filter((v) => v.role !== 'alpha');
  if (unexpected.length > 0) {
    net.dispose();
    throw new Error(`perturbation selection: no value to carry over for ${unexpected.map((v) => v.name).join(', ')}`);
  }
  return net;
}

async function fineTune(ctx: RunContext, net: Network, label: string): Promise<{ steps: number; samples: number }> {
  const { config, settings } = ctx;
  const s = config.search;
  const epochs = config.perturbation.tuneEpochs;
  const weights = variablesWithRole(net, 'weight');
  const optimizer = new SgdOptimizer([{ lr: settings.lrWeights * config.perturbation.tuneLrFactor, parameters: weights }], { momentum: s.momentum, weightDecay: s.weightDecay, nesterov: s.momentum > 0 });
  let steps = 0;
  let samples = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      ctx.throwIfAborted();
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `${label}/epoch${epoch}`),
        net,
        optimizer,
        trainable: weights,
        batchSize: settings.searchBatchSize,
        share: searchShare(s),
        lrFactor: 1,
        dropout: 0,
        clipNorm: s.clipNorm,
        alphaGradient: null,
      });
      steps += outcome.steps;
      samples += outcome.samples;
      if (outcome.diverged) throw new Error('perturbation selection: fine-tuning diverged (non-finite loss); lower perturbation.tuneLrFactor or search.lrWeights');
    }
  } finally {
    optimizer.dispose();
  }
  return { steps, samples };
}

/** Steps the fine-tuning of a whole selection takes (for phase-start). */
export function fineTuneSteps(ctx: RunContext, layers: number): number {
  return Math.max(0, layers - 1) * ctx.config.perturbation.tuneEpochs * shareSteps(ctx.train.size, ctx.settings.searchBatchSize, searchShare(ctx.config.search));
}
