/**
 * The topology of each backbone as data: which convs, norms and dense layers exist, their channels, strides and
 * (given an input size) their spatial sizes. The network builders and the cost estimates both read it, so that a
 * parameter count can never disagree with the network that gets built.
 */
import type { ArchitectureSpec, BackboneName } from './spec.ts';

export interface BackboneShape {
  backbone: BackboneName;
  inChannels: number;
  outputs: number;
  /** WRN width factor k; ignored by resnet1d. */
  widthFactor: number;
  /** ResNet1D base width m; ignored by WRN. */
  baseChannels: number;
}

export const DEFAULT_WIDTH_FACTOR = 1;
export const DEFAULT_BASE_CHANNELS = 4;

export function shapeOfSpec(spec: ArchitectureSpec): BackboneShape {
  return {
    backbone: spec.backbone,
    inChannels: spec.inChannels,
    outputs: spec.outputs,
    widthFactor: spec.widthFactor ?? DEFAULT_WIDTH_FACTOR,
    baseChannels: spec.baseChannels ?? DEFAULT_BASE_CHANNELS,
  };
}

export interface ConvSlot {
  kind: 'conv';
  name: string;
  /** Index among the searchable convs, or null for shortcut/residual convs (never searched). */
  searchable: number | null;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Kernel of a fixed conv (1 for shortcuts and residuals); searchable convs take theirs from the spec. */
  fixedKernel: number;
  inSize: number[];
  outSize: number[];
}

export interface NormSlot {
  kind: 'norm';
  name: string;
  channels: number;
  size: number[];
}

export interface DenseSlot {
  kind: 'dense';
  name: string;
  inFeatures: number;
  outFeatures: number;
  /** Positions it is applied at: 1 after global pooling, H*W for a per-pixel head. */
  positions: number;
}

export type Slot = ConvSlot | NormSlot | DenseSlot;

export interface WrnBlockPlan {
  name: string;
  inChannels: number;
  outChannels: number;
  stride: number;
  /** Searchable layer indices of conv1 and conv2. */
  conv1: number;
  conv2: number;
  shortcut: boolean;
}

export interface ResNet1dBlockPlan {
  name: string;
  inChannels: number;
  outChannels: number;
  /** Searchable layer indices of its three convs. */
  convs: [number, number, number];
  residual: boolean;
}

export const WRN_STEM_CHANNELS = 16;

/** WRN-16-k: three stages of two blocks, widths 16k, 32k, 64k; stride 2 on conv2 of the first block of stages 2 and 3 (none for dense prediction). */
export function wrnBlocks(widthFactor: number, densePrediction: boolean): WrnBlockPlan[] {
  const widths = [16 * widthFactor, 32 * widthFactor, 64 * widthFactor];
  const blocks: WrnBlockPlan[] = [];
  let inChannels = WRN_STEM_CHANNELS;
  let layer = 1;
  widths.forEach((width, s) => {
    for (let b = 0; b < 2; b++) {
      const stride = !densePrediction && s > 0 && b === 0 ? 2 : 1;
      blocks.push({
        name: `stage${s + 1}.block${b + 1}`,
        inChannels,
        outChannels: width,
        stride,
        conv1: layer,
        conv2: layer + 1,
        shortcut: stride !== 1 || inChannels !== width,
      });
      layer += 2;
      inChannels = width;
    }
  });
  return blocks;
}

/** The 1-D ResNet: blocks m, 2m, 2m of three convs; a 1x1 residual conv + BN where channels change, none otherwise. */
export function resnet1dBlocks(inChannels: number, baseChannels: number): ResNet1dBlockPlan[] {
  const outs = [baseChannels, 2 * baseChannels, 2 * baseChannels];
  let cin = inChannels;
  return outs.map((cout, b) => {
    const block: ResNet1dBlockPlan = {
      name: `block${b + 1}`,
      inChannels: cin,
      outChannels: cout,
      convs: [3 * b, 3 * b + 1, 3 * b + 2],
      residual: cin !== cout,
    };
    cin = cout;
    return block;
  });
}

/** Output size of a centred ('same') or causal conv with stride s: ceil(n / s) per axis. */
function strided(size: number[], stride: number): number[] {
  return size.map((n) => Math.ceil(n / stride));
}

/** Every layer of the backbone in forward order, with spatial sizes for an input of `inputSize` (spatial dims only). */
export function planSlots(shape: BackboneShape, inputSize: number[]): Slot[] {
  const slots: Slot[] = [];
  if (shape.backbone === 'resnet1d') {
    let size = inputSize;
    for (const block of resnet1dBlocks(shape.inChannels, shape.baseChannels)) {
      const channels = [block.inChannels, block.outChannels, block.outChannels, block.outChannels];
      block.convs.forEach((layer, i) => {
        slots.push(conv(`${block.name}.conv${i + 1}`, layer, channels[i]!, channels[i + 1]!, 1, 1, size));
        slots.push({ kind: 'norm', name: `${block.name}.bn${i + 1}`, channels: channels[i + 1]!, size });
      });
      if (block.residual) {
        slots.push(conv(`${block.name}.residual`, null, block.inChannels, block.outChannels, 1, 1, size));
        slots.push({ kind: 'norm', name: `${block.name}.residual_bn`, channels: block.outChannels, size });
      }
    }
    const last = 2 * shape.baseChannels;
    slots.push({ kind: 'dense', name: 'head', inFeatures: last, outFeatures: shape.outputs, positions: 1 });
    return slots;
  }

  const dense = shape.backbone === 'wrn-dense';
  let size = inputSize;
  slots.push(conv('stem', 0, shape.inChannels, WRN_STEM_CHANNELS, 1, 1, size));
  for (const block of wrnBlocks(shape.widthFactor, dense)) {
    slots.push({ kind: 'norm', name: `${block.name}.bn1`, channels: block.inChannels, size });
    slots.push(conv(`${block.name}.conv1`, block.conv1, block.inChannels, block.outChannels, 1, 1, size));
    slots.push({ kind: 'norm', name: `${block.name}.bn2`, channels: block.outChannels, size });
    slots.push(conv(`${block.name}.conv2`, block.conv2, block.outChannels, block.outChannels, block.stride, 1, size));
    if (block.shortcut) slots.push(conv(`${block.name}.shortcut`, null, block.inChannels, block.outChannels, block.stride, 1, size));
    size = strided(size, block.stride);
  }
  const last = 64 * shape.widthFactor;
  slots.push({ kind: 'norm', name: 'head.bn', channels: last, size });
  const positions = dense ? size.reduce((a, b) => a * b, 1) : 1;
  slots.push({ kind: 'dense', name: 'head', inFeatures: last, outFeatures: shape.outputs, positions });
  return slots;
}

function conv(name: string, searchable: number | null, inChannels: number, outChannels: number, stride: number, fixedKernel: number, inSize: number[]): ConvSlot {
  return { kind: 'conv', name, searchable, inChannels, outChannels, stride, fixedKernel, inSize, outSize: strided(inSize, stride) };
}
