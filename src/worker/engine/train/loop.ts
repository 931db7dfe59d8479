/**
 * One epoch of training and one pass of evaluation, shared by search, HP search and retraining.
 *
 * A training step: forward in training mode with the step's random draws (Gumbel noise, dropout masks) from the
 * epoch's stream -> backward for weights and alphas -> DASH's alpha-gradient rescaling and field-size penalty
 * (supernets) -> global-norm clipping -> SGD step. Everything a step allocates is released before the next.
 */
import * as tf from '@tensorflow/tfjs-core';
import { penaltyFieldSize, type MetricName, type SeededRandom, type TargetNormalization } from '../../../shared/engine/index.ts';
import type { CoefficientSource, NamedVariable, Network } from '../backbones/network.ts';
import { decodeTargets, type SplitReader } from '../data/dataset.ts';
import { epochBatches, shareBatches, type EpochShare } from '../data/batches.ts';
import { createMetric } from '../metrics/task-metric.ts';
import { clipByGlobalNorm, rescaleAlphaGradient } from './gradients.ts';
import type { TaskLoss } from './losses.ts';
import type { SgdOptimizer } from './sgd.ts';

/** Thrown when a run's AbortSignal fires; checked at step boundaries. */
export class RunCancelledError extends Error {
  constructor(message = 'the run was cancelled') {
    super(message);
    this.name = 'RunCancelledError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new RunCancelledError();
}

export interface AlphaGradientSettings {
  scale: number;
  penalty: number;
  /** Dense 2-D prediction uses f = 10 k. */
  densePrediction: boolean;
}

export interface TrainEpochOptions {
  net: Network;
  reader: SplitReader;
  loss: TaskLoss;
  optimizer: SgdOptimizer;
  /** Parameters the optimiser trains (weights, plus alphas during search). */
  trainable: readonly NamedVariable[];
  batchSize: number;
  /** The batches used: a share of one shuffle, or a fixed number of steps. */
  share: EpochShare;
  lrFactor: number;
  dropout: number;
  clipNorm: number | null;
  /** Supernets: DASH's alpha-gradient treatment; null leaves alpha gradients as they are. */
  alphaGradient: AlphaGradientSettings | null;
  /** Shuffles the epoch's batches. */
  shuffleRng: SeededRandom;
  /** Random draws of the forward passes. */
  forwardRng: SeededRandom;
  coefficients?: CoefficientSource;
  signal?: AbortSignal;
}

export interface EpochOutcome {
  /** Mean loss per sample over the batches used. */
  meanLoss: number;
  steps: number;
  /** Samples in the steps taken (for compute accounting). */
  samples: number;
  /** True when a loss came out non-finite; the epoch stopped there. */
  diverged: boolean;
}

export async function trainEpoch(o: TrainEpochOptions): Promise<EpochOutcome> {
  const used = shareBatches(o.reader.size, o.batchSize, o.share, o.shuffleRng);
  const alphaLayers = o.alphaGradient === null ? new Map<string, number[]>() : alphaFieldSizes(o.net, o.alphaGradient.densePrediction);
  const varList = o.trainable.map((p) => p.variable);
  const nameOf = new Map(o.trainable.map((p) => [p.variable.name, p.name]));
  let lossSum = 0;
  let samples = 0;
  let steps = 0;
  let seen = 0;
  for (const indices of used) {
    throwIfAborted(o.signal);
    const { x, y } = await o.reader.read(indices);
    let value: number;
    try {
      const { value: loss, grads } = tf.tidy(() =>
        tf.variableGrads(
          () => o.loss.objective(o.net.forward(x, { training: true, dropout: o.dropout, rng: o.forwardRng, ...(o.coefficients ? { coefficients: o.coefficients } : {}) }), y),
          varList,
        ),
      );
      try {
        // Read asynchronously: a WebGPU page in headless Chromium has no synchronous readback (browser-host.ts).
        value = (await loss.data())[0]!;
        if (Number.isFinite(value)) {
          tf.tidy(() => {
            const names: string[] = [];
            let tensors: tf.Tensor[] = [];
            for (const [tfName, g] of Object.entries(grads)) {
              const name = nameOf.get(tfName)!;
              const fields = alphaLayers.get(name);
              names.push(name);
              tensors.push(fields !== undefined && o.alphaGradient !== null ? rescaleAlphaGradient(g as tf.Tensor1D, fields, o.alphaGradient.scale, o.alphaGradient.penalty) : g);
            }
            if (o.clipNorm !== null) tensors = clipByGlobalNorm(tensors, o.clipNorm).grads;
            o.optimizer.step(new Map(names.map((n, i) => [n, tensors[i]!])), o.lrFactor);
          });
        }
      } finally {
        tf.dispose([loss, ...Object.values(grads)]);
      }
    } finally {
      x.dispose();
      y.dispose();
    }
    steps++;
    seen += indices.length;
    if (!Number.isFinite(value)) return { meanLoss: Number.NaN, steps, samples: seen, diverged: true };
    const n = indices.length;
    lossSum += o.loss.reduction === 'mean' ? value * n : value;
    samples += n;
  }
  return { meanLoss: lossSum / samples, steps, samples: seen, diverged: false };
}

/** Alpha variable name -> penalty field sizes of its layer's patterns. */
function alphaFieldSizes(net: Network, densePrediction: boolean): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const alphaNames = new Map(net.variables.filter((v) => v.role === 'alpha').map((v) => [v.variable, v.name]));
  for (const layer of net.searchableLayers) {
    if (layer.alpha === null) continue;
    const name = alphaNames.get(layer.alpha);
    if (name === undefined) throw new Error(`training: alpha of layer ${layer.layer} is not among the network's variables`);
    out.set(name, layer.patterns.map((p) => penaltyFieldSize(p, densePrediction)));
  }
  return out;
}

export interface EvaluateOptions {
  net: Network;
  reader: SplitReader;
  batchSize: number;
  metric: MetricName;
  numClasses?: number;
  normalization?: TargetNormalization;
  /** Random draws of supernet forward passes (Gumbel noise in evaluation too); unused by discrete networks. */
  rng: SeededRandom;
  coefficients?: CoefficientSource;
  signal?: AbortSignal;
}

/** The metric over the whole split, in evaluation mode (running BN statistics, no dropout). */
export async function evaluate(o: EvaluateOptions): Promise<number> {
  return (await evaluateWithLoss(o, null)).value;
}

export interface Evaluation {
  /** The metric over the whole split. */
  value: number;
  /** Mean training objective per sample (NaN when no loss was asked for). */
  meanLoss: number;
  samples: number;
}

/** `evaluate`, plus the mean loss per sample over the same forward passes when `loss` is given. */
export async function evaluateWithLoss(o: EvaluateOptions, loss: TaskLoss | null): Promise<Evaluation> {
  const metric = createMetric(o.metric, o.numClasses);
  let lossSum = 0;
  for (const indices of epochBatches(o.reader.size, o.batchSize, null)) {
    throwIfAborted(o.signal);
    const { x, y } = await o.reader.read(indices);
    try {
      const out = tf.tidy(() => o.net.forward(x, { training: false, dropout: 0, rng: o.rng, ...(o.coefficients ? { coefficients: o.coefficients } : {}) }));
      let batchLoss = 0;
      try {
        if (o.metric === 'relative-l2') {
          const [predicted, target] = tf.tidy(() => [decodeTargets(out, o.normalization), decodeTargets(tf.reshape(y, out.shape), o.normalization)]);
          await metric.add(predicted!, target!);
          tf.dispose([predicted!, target!]);
        } else await metric.add(out, y);
        if (loss !== null) {
          const l = tf.tidy(() => loss.objective(out, y));
          batchLoss = (await l.data())[0]!;
          l.dispose();
        }
      } finally {
        out.dispose();
      }
      if (loss !== null) lossSum += loss.reduction === 'mean' ? batchLoss * indices.length : batchLoss;
    } finally {
      x.dispose();
      y.dispose();
    }
  }
  return { value: metric.value(), meanLoss: loss === null ? Number.NaN : lossSum / o.reader.size, samples: o.reader.size };
}
