/**
 * What every backbone, supernet or discrete, offers to training and search: named variables (stable names for
 * checkpoints and weight carry-over), its searchable layers, and a forward pass whose randomness (Gumbel noise,
 * dropout masks) comes from a seeded stream supplied by the caller.
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { BackboneName, KernelPattern, SeededRandom } from '../../../shared/engine/index.ts';

/**
 * - `weight`: trained by the weight optimiser (conv/dense weights and biases, norm scale and shift).
 * - `alpha`: architecture parameters of a supernet.
 * - `state`: not trained by gradients (batch-norm running mean and variance).
 */
export type VariableRole = 'weight' | 'alpha' | 'state';

export interface NamedVariable {
  /** Stable, hierarchical, unique within the network: e.g. `stage2.block1.conv2.w.k5d3`, `stage2.block1.bn1.gamma`. */
  name: string;
  variable: tf.Variable;
  role: VariableRole;
}

/**
 * Supplies the mixing coefficients of a searchable layer for one forward pass. The default draws Gumbel-softmax
 * coefficients; perturbation-based selection substitutes its own (e.g. softmax(alpha) with one entry zeroed).
 */
export type CoefficientSource = (layer: number, alpha: tf.Variable, rng: SeededRandom) => tf.Tensor1D;

export interface ForwardOptions {
  /** Batch statistics (and running-stat updates) and dropout on; otherwise running statistics, no dropout. */
  training: boolean;
  /** Dropout rate of the backbone's dropout layers (training only). */
  dropout: number;
  /** Draws Gumbel noise and dropout masks, in forward order. */
  rng: SeededRandom;
  /** Supernets only; default Gumbel-softmax with the network's temperature. */
  coefficients?: CoefficientSource;
}

export interface SearchableLayerInfo {
  layer: number;
  /** Slot name in the backbone plan, e.g. `stem`, `stage1.block1.conv1`. */
  name: string;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Candidate patterns (supernet) or the single chosen pattern (discrete). */
  patterns: KernelPattern[];
  /** Supernet only. */
  alpha: tf.Variable | null;
  depthwise: boolean;
}

export interface Network {
  readonly backbone: BackboneName;
  readonly kind: 'supernet' | 'discrete';
  readonly rank: 1 | 2;
  readonly variables: readonly NamedVariable[];
  readonly searchableLayers: readonly SearchableLayerInfo[];
  /**
   * x: [N, L, C] or [N, H, W, C]. Returns logits [N, classes] or, for dense prediction, [N, H, W, outputs].
   * Must run inside a tf scope (tidy/variableGrads): it allocates intermediates freely.
   */
  forward(x: tf.Tensor, options: ForwardOptions): tf.Tensor;
  dispose(): void;
}

export function variablesWithRole(net: Network, role: VariableRole): NamedVariable[] {
  return net.variables.filter((v) => v.role === role);
}
