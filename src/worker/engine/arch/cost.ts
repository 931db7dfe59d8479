/**
 * Parameter counts and FLOP estimates of a discrete architecture. FLOPs count multiply-adds of convs and dense
 * layers as 2 operations each (dilated kernels cost their k^rank taps, not their zero-inserted extent); norms,
 * activations and pooling are left out, as is usual for such estimates.
 */
import { planSlots, shapeOfSpec } from '../backbones/plan.ts';
import type { ArchitectureSpec } from './spec.ts';
import { validateArchitectureSpec } from './spec.ts';

export interface LayerCost {
  layer: number;
  kernel: number;
  dilation: number;
  parameters: number;
  flops: number;
}

export interface ArchitectureCost {
  /** Trainable parameters (conv and dense weights and biases, norm scale and shift; not running statistics). */
  parameters: number;
  /** Forward FLOPs for one sample of the given input size. */
  flops: number;
  /** The searchable convs' share. */
  layers: LayerCost[];
}

/** Cost of `spec` on one input sample of spatial size `inputSize` ([L] for 1-D, [H, W] for 2-D). */
export function architectureCost(spec: ArchitectureSpec, inputSize: number[]): ArchitectureCost {
  validateArchitectureSpec(spec);
  if (inputSize.length !== spec.rank || inputSize.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`architectureCost: a rank-${spec.rank} backbone needs ${spec.rank} positive spatial sizes, got [${inputSize.join(', ')}]`);
  }
  let parameters = 0;
  let flops = 0;
  const layers: LayerCost[] = [];
  for (const slot of planSlots(shapeOfSpec(spec), inputSize)) {
    if (slot.kind === 'norm') {
      parameters += 2 * slot.channels;
    } else if (slot.kind === 'dense') {
      parameters += slot.inFeatures * slot.outFeatures + slot.outFeatures;
      flops += 2 * slot.positions * slot.inFeatures * slot.outFeatures;
    } else {
      const choice = slot.searchable === null ? null : spec.layers[slot.searchable]!;
      const taps = (choice === null ? slot.fixedKernel : choice.kernel) ** spec.rank;
      const p = taps * slot.inChannels * slot.outChannels + slot.outChannels;
      const positions = slot.outSize.reduce((a, b) => a * b, 1);
      const f = 2 * positions * taps * slot.inChannels * slot.outChannels;
      parameters += p;
      flops += f;
      if (choice !== null) layers.push({ layer: choice.layer, kernel: choice.kernel, dilation: choice.dilation, parameters: p, flops: f });
    }
  }
  return { parameters, flops, layers };
}
