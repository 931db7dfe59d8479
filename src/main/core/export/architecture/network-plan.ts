/**
 * The discrete network of an architecture spec as a plain description, block by block, with the engine's own
 * variable names: what the TF.js and PyTorch exporters build from. It is derived from the engine's backbone
 * plan (wrnBlocks, resnet1dBlocks), so an export cannot drift from the network the engine trains.
 */
import { patternLabel, resnet1dBlocks, shapeOfSpec, validateArchitectureSpec, WRN_STEM_CHANNELS, wrnBlocks, type ArchitectureSpec } from '../../../../shared/engine/index.ts';

export interface ConvNode {
  /** The engine's slot name, e.g. `stage2.block1.conv2`. */
  slot: string;
  rank: 1 | 2;
  inChannels: number;
  outChannels: number;
  kernel: number;
  dilation: number;
  stride: number;
  /** Searchable convs take the spec's padding; 1x1 shortcuts and residuals are 'same' (no padding needed). */
  padding: 'same' | 'causal';
  /** Index among the searchable layers, or null for a 1x1 shortcut/residual conv. */
  searchable: number | null;
  /** Engine variable names of the filter ([k, (k,) in, out]) and bias ([out]). */
  weight: string;
  bias: string;
}

export interface NormNode {
  slot: string;
  channels: number;
  /** Engine variable names. */
  gamma: string;
  beta: string;
  mean: string;
  variance: string;
}

export interface WrnBlockNode {
  kind: 'wrn';
  name: string;
  bn1: NormNode;
  conv1: ConvNode;
  bn2: NormNode;
  conv2: ConvNode;
  shortcut: ConvNode | null;
}

export interface ResNet1dBlockNode {
  kind: 'resnet1d';
  name: string;
  convs: ConvNode[];
  norms: NormNode[];
  residual: { conv: ConvNode; norm: NormNode } | null;
}

export interface NetworkPlan {
  spec: ArchitectureSpec;
  rank: 1 | 2;
  /** WRN only. */
  stem: ConvNode | null;
  blocks: Array<WrnBlockNode | ResNet1dBlockNode>;
  /** WRN only: BN-ReLU before the head. */
  headNorm: NormNode | null;
  head: { inFeatures: number; outFeatures: number; weight: string; bias: string; perPosition: boolean };
  /** Dropout rate of the training HPs (identity at inference). */
  dropout: number;
}

/** Padding before and after along one axis: 'same' centres the extent e = d(k-1)+1 (floor((e-1)/2) before), 'causal' puts all e-1 before. */
export function paddingOf(kernel: number, dilation: number, padding: 'same' | 'causal'): [number, number] {
  const e = dilation * (kernel - 1) + 1;
  const before = padding === 'causal' ? e - 1 : Math.floor((e - 1) / 2);
  return [before, e - 1 - before];
}

function norm(slot: string, channels: number): NormNode {
  return { slot, channels, gamma: `${slot}.gamma`, beta: `${slot}.beta`, mean: `${slot}.running_mean`, variance: `${slot}.running_var` };
}

export function networkPlan(spec: ArchitectureSpec, dropout: number): NetworkPlan {
  validateArchitectureSpec(spec);
  const shape = shapeOfSpec(spec);
  const searchableConv = (slot: string, layer: number, inChannels: number, outChannels: number, stride: number): ConvNode => {
    const choice = spec.layers[layer]!;
    return { slot, rank: spec.rank, inChannels, outChannels, kernel: choice.kernel, dilation: choice.dilation, stride, padding: spec.padding, searchable: layer, weight: `${slot}.w.${patternLabel(choice)}`, bias: `${slot}.b` };
  };
  const pointwise = (slot: string, inChannels: number, outChannels: number, stride: number): ConvNode => ({
    slot, rank: spec.rank, inChannels, outChannels, kernel: 1, dilation: 1, stride, padding: 'same', searchable: null, weight: `${slot}.w`, bias: `${slot}.b`,
  });

  if (spec.backbone === 'resnet1d') {
    const blocks = resnet1dBlocks(shape.inChannels, shape.baseChannels).map((b): ResNet1dBlockNode => {
      const channels = [b.inChannels, b.outChannels, b.outChannels, b.outChannels];
      return {
        kind: 'resnet1d',
        name: b.name,
        convs: b.convs.map((layer, i) => searchableConv(`${b.name}.conv${i + 1}`, layer, channels[i]!, channels[i + 1]!, 1)),
        norms: b.convs.map((_, i) => norm(`${b.name}.bn${i + 1}`, b.outChannels)),
        residual: b.residual ? { conv: pointwise(`${b.name}.residual`, b.inChannels, b.outChannels, 1), norm: norm(`${b.name}.residual_bn`, b.outChannels) } : null,
      };
    });
    const last = 2 * shape.baseChannels;
    return { spec, rank: 1, stem: null, blocks, headNorm: null, head: { inFeatures: last, outFeatures: shape.outputs, weight: 'head.w', bias: 'head.b', perPosition: false }, dropout };
  }

  const dense = spec.backbone === 'wrn-dense';
  const blocks = wrnBlocks(shape.widthFactor, dense).map((b): WrnBlockNode => ({
    kind: 'wrn',
    name: b.name,
    bn1: norm(`${b.name}.bn1`, b.inChannels),
    conv1: searchableConv(`${b.name}.conv1`, b.conv1, b.inChannels, b.outChannels, 1),
    bn2: norm(`${b.name}.bn2`, b.outChannels),
    conv2: searchableConv(`${b.name}.conv2`, b.conv2, b.outChannels, b.outChannels, b.stride),
    shortcut: b.shortcut ? pointwise(`${b.name}.shortcut`, b.inChannels, b.outChannels, b.stride) : null,
  }));
  const last = 64 * shape.widthFactor;
  return {
    spec,
    rank: 2,
    stem: searchableConv('stem', 0, shape.inChannels, WRN_STEM_CHANNELS, 1),
    blocks,
    headNorm: norm('head.bn', last),
    head: { inFeatures: last, outFeatures: shape.outputs, weight: 'head.w', bias: 'head.b', perPosition: dense },
    dropout,
  };
}

/** Every engine variable the plan's network holds, in forward order. */
export function planVariables(plan: NetworkPlan): string[] {
  const conv = (c: ConvNode) => [c.weight, c.bias];
  const bn = (n: NormNode) => [n.gamma, n.beta, n.mean, n.variance];
  const names: string[] = [];
  if (plan.stem) names.push(...conv(plan.stem));
  for (const b of plan.blocks) {
    if (b.kind === 'wrn') names.push(...bn(b.bn1), ...conv(b.conv1), ...bn(b.bn2), ...conv(b.conv2), ...(b.shortcut ? conv(b.shortcut) : []));
    else {
      b.convs.forEach((c, i) => names.push(...conv(c), ...bn(b.norms[i]!)));
      if (b.residual) names.push(...conv(b.residual.conv), ...bn(b.residual.norm));
    }
  }
  if (plan.headNorm) names.push(...bn(plan.headNorm));
  names.push(plan.head.weight, plan.head.bias);
  return names;
}
