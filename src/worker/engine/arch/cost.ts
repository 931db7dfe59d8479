/**
 * Parameter counts and FLOP estimates of discrete architectures and supernets. FLOPs count multiply-adds of convs
 * and dense layers as 2 operations each. A conv costs the taps that can touch its input: dilated kernels cost
 * their taps, not their zero-inserted extent, and taps that only ever read padding (a large dilation on a small
 * input) cost nothing, since every conv path drops them exactly. Norms, activations and pooling are left out, as
 * is usual for such estimates.
 *
 * A supernet's searchable layer costs the sum over its candidates (each computed at its own taps, depthwise where
 * the search makes Cin = Cout convs depthwise): the work of evaluating the whole mixture, independent of which
 * exact method the ops module uses to evaluate it, so that compute comparisons do not depend on the backend.
 */
import { reachableTaps } from '../ops/conv-geometry.ts';
import { planSlots, searchableLayerCount, shapeOfSpec, validateArchitectureSpec, type ArchitectureSpec, type BackboneShape, type ConvSlot, type KernelPattern, type LayerSearchSpaces } from '../../../shared/engine/index.ts';

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

/** A training step costs about three forward passes per sample: the forward, the input and the weight gradients. */
export const TRAINING_FLOPS_PER_FORWARD = 3;

function checkInputSize(rank: 1 | 2, inputSize: number[], who: string): void {
  if (inputSize.length !== rank || inputSize.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`${who}: a rank-${rank} backbone needs ${rank} positive spatial sizes, got [${inputSize.join(', ')}]`);
  }
}

/** Taps of a (k, d) kernel that reach an input of the slot's size, over all spatial axes. */
function reachableTapCount(slot: ConvSlot, pattern: KernelPattern, padding: 'same' | 'causal'): number {
  return slot.inSize.reduce((taps, n) => taps * reachableTaps(pattern.kernel, pattern.dilation, n, padding).count, 1);
}

function convFlops(slot: ConvSlot, taps: number, depthwise: boolean): number {
  const positions = slot.outSize.reduce((a, b) => a * b, 1);
  return 2 * positions * taps * (depthwise ? 1 : slot.inChannels) * slot.outChannels;
}

/** Cost of `spec` on one input sample of spatial size `inputSize` ([L] for 1-D, [H, W] for 2-D). */
export function architectureCost(spec: ArchitectureSpec, inputSize: number[]): ArchitectureCost {
  validateArchitectureSpec(spec);
  checkInputSize(spec.rank, inputSize, 'architectureCost');
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
      const pattern = choice ?? { kernel: slot.fixedKernel, dilation: 1 };
      const p = pattern.kernel ** spec.rank * slot.inChannels * slot.outChannels + slot.outChannels;
      const f = convFlops(slot, reachableTapCount(slot, pattern, spec.padding), false);
      parameters += p;
      flops += f;
      if (choice !== null) layers.push({ layer: choice.layer, kernel: choice.kernel, dilation: choice.dilation, parameters: p, flops: f });
    }
  }
  return { parameters, flops, layers };
}

/** Forward FLOPs of a supernet over `spaces` (centred convs, depthwise where Cin = Cout) for one input sample. */
export function supernetForwardFlops(shape: BackboneShape, spaces: LayerSearchSpaces, inputSize: number[]): number {
  const rank = shape.backbone === 'resnet1d' ? 1 : 2;
  checkInputSize(rank, inputSize, 'supernetForwardFlops');
  const expected = searchableLayerCount(shape.backbone);
  if (spaces.length !== expected) throw new Error(`supernetForwardFlops: ${shape.backbone} has ${expected} searchable layers, got ${spaces.length} candidate lists`);
  let flops = 0;
  for (const slot of planSlots(shape, inputSize)) {
    if (slot.kind === 'dense') {
      flops += 2 * slot.positions * slot.inFeatures * slot.outFeatures;
    } else if (slot.kind === 'conv') {
      if (slot.searchable === null) {
        flops += convFlops(slot, reachableTapCount(slot, { kernel: slot.fixedKernel, dilation: 1 }, 'same'), false);
      } else {
        const depthwise = slot.inChannels === slot.outChannels;
        for (const p of spaces[slot.searchable]!) flops += convFlops(slot, reachableTapCount(slot, p, 'same'), depthwise);
      }
    }
  }
  return flops;
}
