/**
 * The mixture benchmark: forward + backward of one mixture layer (the input gradient dx, every pattern's weights,
 * alpha through the Gumbel-softmax coefficients, the bias) for the naive path (naive-mixture.ts), every method in
 * MIXTURE_METHODS, and the cost model's pick among them, on the active backend.
 *
 * Per layer: one checking call per alternative (also its warm-up: kernels compiled, buffers allocated), each
 * compared with naive (output and every gradient, as max |a - b| / max |naive|), then `repeats` timed calls
 * round-robin; a layer's time is the median. Every call uses the same input, weights, output gradient and Gumbel
 * draw. The loss is sum(y * dy) for a fixed random dy, so the backward pass starts from a dense gradient.
 *
 * Bounds on slow alternatives, so that a pure-JS, 2-core or SwiftShader run ends: an alternative estimated above
 * 4 x `maxCallMs` is skipped (call-estimate.ts: the cost model's estimate where the backend has cost constants,
 * mixture-cost.ts; otherwise the model scaled to the backend's speed measured on the calls before it; for naive:
 * per-pattern's estimate scaled by naive's taps); one whose checking call took longer than `maxCallMs` is not
 * repeated (its time is that one call). Both are recorded in the result's `note`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  MIXTURE_CANDIDATES,
  SeededRandom,
  type MixtureBenchResult,
  type MixtureBenchSpec,
  type MixtureCandidate,
  type MixtureDifferences,
  type MixtureLayerResult,
  type MixtureTiming,
} from '../../../shared/engine/index.ts';
import { createMixtureConvParams, gumbelCoefficients, mixtureConv, type MixtureConvParams } from '../ops/mixture-conv.ts';
import { BACKEND_COSTS, chooseMixtureMethod, estimateMixtureCosts } from '../ops/mixture-cost.ts';
import type { MixtureConvConfig } from '../ops/mixture-types.ts';
import { addMany, naiveMixture, naiveMixtureFlops } from './naive-mixture.ts';
import { allReferenceLayers, selectLayers, type MixtureLayerCase } from './reference.ts';
import { median, timeOnce, timeRoundRobin } from './timing.ts';
import { BackendSpeed, estimateCallMs } from './call-estimate.ts';

/** The mixture benchmark's request (the vocabulary's MixtureBenchSpec) with the layers to choose from. */
export interface MixtureBenchInput extends MixtureBenchSpec {
  /** The layers to choose from (default: every reference layer). */
  layers?: readonly MixtureLayerCase[];
}

export type BenchProgress = (message: string) => void;

let benchCount = 0;

/**
 * Runs the benchmark on the active backend. `onLayer` receives each layer's result as soon as it is measured, so a
 * host can keep what was measured when a long run is stopped.
 */
export async function runMixtureBench(spec: MixtureBenchInput = {}, onProgress: BenchProgress = () => {}, onLayer: (layer: MixtureLayerResult) => void = () => {}): Promise<MixtureBenchResult> {
  const repeats = spec.repeats ?? 5;
  const maxCallMs = spec.maxCallMs ?? 15000;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`mixture bench: repeats must be a positive integer, got ${repeats}`);
  if (spec.batch !== undefined && (!Number.isInteger(spec.batch) || spec.batch < 1)) throw new Error(`mixture bench: batch must be a positive integer, got ${spec.batch}`);
  if (!(maxCallMs > 0)) throw new Error(`mixture bench: maxCallMs must be positive, got ${maxCallMs}`);
  const layers = selectLayers(spec.layers ?? allReferenceLayers(), spec.filter);
  const results: MixtureLayerResult[] = [];
  const speed = new BackendSpeed();
  for (const [i, layer] of layers.entries()) {
    onProgress(`layer ${i + 1}/${layers.length}: ${layer.name}`);
    const result = await benchLayer(layer, spec.batch ?? layer.defaultBatch, repeats, maxCallMs, speed, onProgress);
    results.push(result);
    onLayer(result);
  }
  return { tfjsBackend: tf.getBackend(), repeats, maxCallMs, layers: results };
}

function outputShapeOf(config: MixtureConvConfig, inputShape: readonly number[]): number[] {
  const spatial = inputShape.slice(1, -1).map((n) => Math.ceil(n / config.stride));
  return [inputShape[0]!, ...spatial, config.outChannels];
}

async function benchLayer(layer: MixtureLayerCase, batch: number, repeats: number, maxCallMs: number, speed: BackendSpeed, onProgress: BenchProgress): Promise<MixtureLayerResult> {
  const { config } = layer;
  const inputShape = [batch, ...layer.sampleShape];
  const outputShape = outputShapeOf(config, inputShape);
  const size: [number, number] = config.rank === 2 ? [inputShape[1]!, inputShape[2]!] : [1, inputShape[1]!];
  const backend = tf.getBackend();
  const naiveFlops = naiveMixtureFlops(config, inputShape);
  const pick = chooseMixtureMethod(config, batch, size, backend);
  const ownConstants = BACKEND_COSTS[backend] !== undefined;
  // Without constants of its own, the backend is modelled with the fallback's (estimateMixtureCosts: wasm's).
  const modelledCosts = estimateMixtureCosts(config, batch, size, backend);
  const estimates = ownConstants ? modelledCosts : null;
  const modelledMs = new Map<MixtureCandidate, number>();
  for (const e of modelledCosts) modelledMs.set(e.method, e.micros / 1000);
  const perPattern = modelledCosts.find((e) => e.method === 'per-pattern');
  if (perPattern !== undefined && perPattern.multiplyAdds > 0) modelledMs.set('naive', (perPattern.micros / 1000) * (naiveFlops / 2 / perPattern.multiplyAdds));
  const modelled = { ms: modelledMs, ownConstants };

  // Created in a scope so that the initial-value tensors are released (variables outlive scopes).
  let created: MixtureConvParams | null = null;
  tf.tidy(() => {
    created = createMixtureConvParams(config, new SeededRandom(1), `bench${++benchCount}`);
  });
  const params: MixtureConvParams = created!;
  const x = tf.randomNormal(inputShape, 0, 1, 'float32', 2);
  const dy = tf.randomNormal(outputShape, 0, 1, 'float32', 3);
  const inputs: tf.Tensor[] = [x, ...params.weights, params.alpha, ...(params.bias === null ? [] : [params.bias])];
  const patternCount = config.patterns.length;

  /** One forward + backward; with `keep`, returns [y, dx, dw..., dalpha, dbias] (the caller disposes them). */
  const call = async (method: MixtureCandidate, keep: boolean): Promise<tf.Tensor[]> => {
    let kept: tf.Tensor[] = [];
    const done = tf.tidy(() => {
      let y: tf.Tensor | null = null;
      const { value, grads } = tf.valueAndGrads((...args: tf.Tensor[]) => {
        const [xa, ...rest] = args;
        const weights = rest.slice(0, patternCount);
        const alpha = rest[patternCount] as tf.Tensor1D;
        const bias = config.bias ? rest[patternCount + 1]! : null;
        // The same Gumbel draw in every call.
        const coefficients = gumbelCoefficients(alpha, new SeededRandom(7));
        const out =
          method === 'naive'
            ? naiveMixture(xa!, weights, coefficients, bias, config)
            : mixtureConv(xa!, { weights: weights as tf.Variable[], alpha: alpha as unknown as tf.Variable, bias: bias as tf.Variable | null }, config, coefficients, { method });
        if (keep) y = tf.keep(out);
        return tf.sum(tf.mul(out, dy)) as tf.Scalar;
      })(inputs);
      if (keep) kept = [y!, ...grads.map((g) => tf.keep(g))];
      // One scalar that depends on every gradient: reading it back waits for all of them.
      return addMany([value, ...grads.map((g) => tf.sum(g))]);
    });
    await done.data();
    done.dispose();
    return kept;
  };

  const timings = new Map<MixtureCandidate, MixtureTiming>();
  let reference: tf.Tensor[] | null = null;
  const timed: MixtureCandidate[] = [];
  const firstCall = new Map<MixtureCandidate, number>();
  try {
    for (const method of MIXTURE_CANDIDATES) {
      const estimate = estimateCallMs(method, modelled, speed);
      if (estimate !== null && estimate.ms > 4 * maxCallMs) {
        const note = `skipped: ${estimate.how} ${(estimate.ms / 1000).toFixed(0)} s per call (more than 4 x maxCallMs ${maxCallMs} ms)`;
        onProgress(`  ${method}: ${note}`);
        timings.set(method, { method, ms: null, samples: 0, gflops: null, maxRelDiff: null, differences: null, note });
        continue;
      }
      onProgress(`  ${method}: checking call`);
      let outputs: tf.Tensor[] = [];
      const ms = await timeOnce(async () => {
        outputs = await call(method, true);
      });
      firstCall.set(method, ms);
      speed.record(ms, modelledMs.get(method));
      let differences: MixtureDifferences | null = null;
      if (method === 'naive') reference = outputs;
      else {
        if (reference !== null) differences = await compare(outputs, reference, patternCount, config.bias);
        tf.dispose(outputs);
      }
      const maxRelDiff = differences === null ? null : Math.max(differences.output, differences.dx, differences.weights, differences.alpha, differences.bias ?? 0);
      const slow = ms > maxCallMs;
      timings.set(method, {
        method,
        ms,
        samples: 1,
        gflops: null,
        maxRelDiff,
        differences,
        note: slow ? `one call only: it took ${ms.toFixed(0)} ms (more than maxCallMs ${maxCallMs} ms)` : null,
      });
      if (!slow) timed.push(method);
    }
    if (reference !== null) tf.dispose(reference);
    reference = null;
    onProgress(`  timing ${timed.join(', ')}: ${repeats} round${repeats === 1 ? '' : 's'}`);
    const samples = await timeRoundRobin(timed, (m) => call(m, false).then(() => undefined), repeats);
    for (const method of timed) {
      const t = timings.get(method)!;
      const values = samples.get(method)!;
      timings.set(method, { ...t, ms: median(values), samples: values.length });
      speed.record(median(values), modelledMs.get(method));
    }
  } finally {
    if (reference !== null) tf.dispose(reference);
    tf.dispose([x, dy, ...params.weights, params.alpha, ...(params.bias === null ? [] : [params.bias])]);
  }

  const methods = MIXTURE_CANDIDATES.map((m) => {
    const t = timings.get(m)!;
    return { ...t, gflops: t.ms === null ? null : naiveFlops / (t.ms * 1e6) };
  });
  const measured = methods.filter((m) => m.ms !== null);
  const best = measured.length === 0 ? null : measured.reduce((a, b) => (b.ms! < a.ms! ? b : a)).method;
  const naiveMs = timings.get('naive')!.ms;
  const pickMs = timings.get(pick)!.ms;
  const kernels = [...new Set(config.patterns.map((p) => p.kernel))];
  const dilations = [...new Set(config.patterns.map((p) => p.dilation))];
  return {
    name: layer.name,
    reference: layer.reference,
    rank: config.rank,
    inputShape,
    outputShape,
    inChannels: config.inChannels,
    outChannels: config.outChannels,
    stride: config.stride,
    depthwise: config.depthwise,
    kernels,
    dilations,
    patterns: patternCount,
    slots: layer.slots,
    naiveFlops,
    methods,
    pick,
    best,
    ratio: naiveMs === null || pickMs === null ? null : naiveMs / pickMs,
    estimatesMs: estimates === null ? null : Object.fromEntries(estimates.map((e) => [e.method, e.micros / 1000])),
  };
}

/** Max |a - b| and max |b| of two equally shaped tensors, read back. */
async function extremes(a: tf.Tensor, b: tf.Tensor): Promise<[number, number]> {
  if (a.shape.join(',') !== b.shape.join(',')) throw new Error(`mixture bench: a method's tensor has shape [${a.shape}] where naive's has [${b.shape}]`);
  const pair = tf.tidy(() => tf.stack([tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))]));
  const values = await pair.data();
  pair.dispose();
  return [values[0]!, values[1]!];
}

async function relative(as: readonly tf.Tensor[], bs: readonly tf.Tensor[]): Promise<number> {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < as.length; i++) {
    const [d, s] = await extremes(as[i]!, bs[i]!);
    // NaN must show as a difference, never as agreement.
    diff = Number.isNaN(d) ? Number.NaN : Math.max(diff, d);
    scale = Math.max(scale, s);
  }
  return diff / Math.max(scale, 1e-30);
}

/** Layout of `call`'s kept tensors: [y, dx, dw_0..dw_{P-1}, dalpha, dbias?]. */
async function compare(actual: readonly tf.Tensor[], naive: readonly tf.Tensor[], patterns: number, bias: boolean): Promise<MixtureDifferences> {
  const part = (list: readonly tf.Tensor[], from: number, count: number): tf.Tensor[] => list.slice(from, from + count);
  return {
    output: await relative(part(actual, 0, 1), part(naive, 0, 1)),
    dx: await relative(part(actual, 1, 1), part(naive, 1, 1)),
    weights: await relative(part(actual, 2, patterns), part(naive, 2, patterns)),
    alpha: await relative(part(actual, 2 + patterns, 1), part(naive, 2 + patterns, 1)),
    bias: bias ? await relative(part(actual, 3 + patterns, 1), part(naive, 3 + patterns, 1)) : null,
  };
}
