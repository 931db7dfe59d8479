/**
 * The searchable convolution slots of a backbone, in two forms:
 * - `MixtureLayer` (supernet): one weight per candidate pattern, one alpha vector, the aggregated convolution
 *   of the ops module mixed with per-forward coefficients (Gumbel-softmax by default). Depthwise when Cin = Cout.
 * - `PatternLayer` (discrete network): one (kernel, dilation) conv, 'same' or causal padding, dense.
 * Both name their variables `<slot>.w.k<k>d<d>`, `<slot>.b` (and `<slot>.alpha`), so that weights can be
 * matched by name across networks (P-DASH carries surviving patterns' weights into the next round).
 */
import * as tf from '@tensorflow/tfjs-core';
import { patternLabel, type KernelPattern, type MixtureMethod, type SeededRandom } from '../../../shared/engine/index.ts';
import { createMixtureConvParams, gumbelCoefficients, mixtureConv, type MixtureConvParams } from '../ops/mixture-conv.ts';
import type { MixtureConvConfig } from '../ops/mixture-types.ts';
import { patternConv } from '../ops/pattern-conv.ts';
import { xavierConvFilter } from './layers.ts';
import type { ForwardOptions, NamedVariable, SearchableLayerInfo } from './network.ts';

export interface SearchableSlot {
  layer: number;
  name: string;
  rank: 1 | 2;
  inChannels: number;
  outChannels: number;
  stride: number;
}

export interface SearchableConv {
  readonly info: SearchableLayerInfo;
  readonly variables: NamedVariable[];
  apply(x: tf.Tensor, options: ForwardOptions): tf.Tensor;
}

/** Builds the conv of one searchable slot; each backbone asks for its slots in forward order. */
export type SearchableConvFactory = (slot: SearchableSlot, rng: SeededRandom) => SearchableConv;

export class MixtureLayer implements SearchableConv {
  readonly info: SearchableLayerInfo;
  readonly variables: NamedVariable[];
  readonly config: MixtureConvConfig;
  readonly params: MixtureConvParams;
  private readonly temperature: number;
  private readonly method: MixtureMethod | undefined;

  /** `variablePrefix` keeps tfjs variable names unique when several supernets exist at once. */
  constructor(slot: SearchableSlot, patterns: KernelPattern[], options: { temperature: number; method?: MixtureMethod }, rng: SeededRandom, variablePrefix: string) {
    if (patterns.length === 0) throw new Error(`supernet layer ${slot.layer} (${slot.name}): no candidate patterns`);
    this.temperature = options.temperature;
    this.method = options.method;
    this.config = {
      rank: slot.rank,
      inChannels: slot.inChannels,
      outChannels: slot.outChannels,
      stride: slot.stride,
      patterns: patterns.map((p) => ({ kernel: p.kernel, dilation: p.dilation })),
      depthwise: slot.inChannels === slot.outChannels,
      bias: true,
    };
    // Created in a scope so that initial-value tensors are released; variables are never disposed by a scope.
    let params: MixtureConvParams | null = null;
    tf.tidy(() => {
      params = createMixtureConvParams(this.config, rng, `${variablePrefix}/${slot.name}`);
    });
    this.params = params!;
    this.info = {
      layer: slot.layer,
      name: slot.name,
      inChannels: slot.inChannels,
      outChannels: slot.outChannels,
      stride: slot.stride,
      patterns: this.config.patterns,
      alpha: this.params.alpha,
      depthwise: this.config.depthwise,
    };
    this.variables = [
      ...this.params.weights.map((w, i): NamedVariable => ({ name: `${slot.name}.w.${patternLabel(patterns[i]!)}`, variable: w, role: 'weight' })),
      ...(this.params.bias === null ? [] : [{ name: `${slot.name}.b`, variable: this.params.bias, role: 'weight' as const }]),
      { name: `${slot.name}.alpha`, variable: this.params.alpha, role: 'alpha' },
    ];
  }

  apply(x: tf.Tensor, options: ForwardOptions): tf.Tensor {
    const coefficients =
      options.coefficients !== undefined
        ? options.coefficients(this.info.layer, this.params.alpha, options.rng)
        : gumbelCoefficients(this.params.alpha as tf.Tensor as tf.Tensor1D, options.rng, this.temperature);
    return mixtureConv(x, this.params, this.config, coefficients, this.method === undefined ? {} : { method: this.method });
  }
}

export class PatternLayer implements SearchableConv {
  readonly info: SearchableLayerInfo;
  readonly variables: NamedVariable[];
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  private readonly rank: 1 | 2;
  private readonly pattern: KernelPattern;
  private readonly padding: 'same' | 'causal';

  constructor(slot: SearchableSlot, pattern: KernelPattern, padding: 'same' | 'causal', rng: SeededRandom) {
    this.rank = slot.rank;
    this.pattern = { kernel: pattern.kernel, dilation: pattern.dilation };
    this.padding = padding;
    this.weight = tf.tidy(() => tf.variable(xavierConvFilter(slot.rank, pattern.kernel, slot.inChannels, slot.outChannels, rng), true));
    this.bias = tf.tidy(() => tf.variable(tf.zeros([slot.outChannels]), true));
    this.info = {
      layer: slot.layer,
      name: slot.name,
      inChannels: slot.inChannels,
      outChannels: slot.outChannels,
      stride: slot.stride,
      patterns: [this.pattern],
      alpha: null,
      depthwise: false,
    };
    this.variables = [
      { name: `${slot.name}.w.${patternLabel(pattern)}`, variable: this.weight, role: 'weight' },
      { name: `${slot.name}.b`, variable: this.bias, role: 'weight' },
    ];
  }

  apply(x: tf.Tensor): tf.Tensor {
    return patternConv(x, this.weight, this.bias, {
      rank: this.rank,
      kernel: this.pattern.kernel,
      dilation: this.pattern.dilation,
      stride: this.info.stride,
      padding: this.padding,
      depthwise: false,
    });
  }
}
