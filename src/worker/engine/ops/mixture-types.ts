/**
 * What a mixture conv layer is, apart from how it is computed: its candidate patterns and its configuration.
 * mixture-conv.ts (the evaluation methods) and mixture-cost.ts (which method is cheapest) both describe layers
 * with these, so neither imports the other for a type, as tfjs's ops and gradients share `kernel_names.ts`.
 */
import type { KernelPattern } from '../../../shared/engine/index.ts';

export interface MixtureConvConfig {
  rank: 1 | 2;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** This layer's candidates, in the order alpha and the weights use (kernel-major for the full DASH space). */
  patterns: KernelPattern[];
  /** Depthwise (groups = C) conv; requires inChannels === outChannels. */
  depthwise: boolean;
  bias: boolean;
}
