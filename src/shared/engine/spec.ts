/**
 * Architecture specs: what a search chose, as plain JSON that can be stored, exported and rebuilt into a
 * discrete network. One (kernel, dilation) per searchable layer plus what the backbone needs to be built.
 */
import { canonicalJson } from './canonical-json.ts';
import { sha256HexOfString } from './sha256.ts';

/**
 * - `wrn`: WRN-16-k, 2-D, classification head (global average pool -> dense).
 * - `wrn-dense`: WRN-16-k, 2-D, all strides 1, per-pixel 1x1 head (dense prediction).
 * - `resnet1d`: the 1-D ResNet for sequences (3 blocks of 3 convs).
 */
export type BackboneName = 'wrn' | 'wrn-dense' | 'resnet1d';

export const BACKBONE_NAMES: readonly BackboneName[] = ['wrn', 'wrn-dense', 'resnet1d'];

export interface LayerChoice {
  /** Index of the searchable layer, 0-based, in forward order. */
  layer: number;
  kernel: number;
  dilation: number;
}

export interface ArchitectureSpec {
  backbone: BackboneName;
  rank: 1 | 2;
  /** Input channels (channels-last inputs). */
  inChannels: number;
  /** Classes for a classification head; output channels for dense prediction. */
  outputs: number;
  /** WRN width factor k (WRN-16-k). WRN backbones only. */
  widthFactor?: number;
  /** ResNet1D base width m (blocks m, 2m, 2m). resnet1d only. */
  baseChannels?: number;
  /** Padding of the searchable convs: centred ('same'), or causal (left padding d(k-1), 1-D only). */
  padding: 'same' | 'causal';
  layers: LayerChoice[];
}

/** How many searchable convs each backbone has. */
export function searchableLayerCount(backbone: BackboneName): number {
  return backbone === 'resnet1d' ? 9 : 13;
}

export function backboneRank(backbone: BackboneName): 1 | 2 {
  return backbone === 'resnet1d' ? 1 : 2;
}

/** A stable identifier: the first 16 hex digits of SHA-256 over the spec's canonical JSON. */
export function archId(spec: ArchitectureSpec): string {
  return sha256HexOfString(canonicalJson(normalizeSpec(spec))).slice(0, 16);
}

/** The spec with only its own members (extra members of a parsed object would otherwise change its id). */
export function normalizeSpec(spec: ArchitectureSpec): ArchitectureSpec {
  const out: ArchitectureSpec = {
    backbone: spec.backbone,
    rank: spec.rank,
    inChannels: spec.inChannels,
    outputs: spec.outputs,
    padding: spec.padding,
    layers: spec.layers.map((l) => ({ layer: l.layer, kernel: l.kernel, dilation: l.dilation })),
  };
  if (spec.widthFactor !== undefined) out.widthFactor = spec.widthFactor;
  if (spec.baseChannels !== undefined) out.baseChannels = spec.baseChannels;
  return out;
}

/** Checks a value read from JSON and returns it as a spec, or throws naming what is wrong. */
export function parseArchitectureSpec(value: unknown): ArchitectureSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('architecture spec: expected an object');
  const v = value as Record<string, unknown>;
  const spec = {
    backbone: v['backbone'],
    rank: v['rank'],
    inChannels: v['inChannels'],
    outputs: v['outputs'],
    widthFactor: v['widthFactor'],
    baseChannels: v['baseChannels'],
    padding: v['padding'],
    layers: v['layers'],
  } as ArchitectureSpec;
  validateArchitectureSpec(spec);
  return normalizeSpec(spec);
}

export function validateArchitectureSpec(spec: ArchitectureSpec): void {
  const fail = (what: string): never => {
    throw new Error(`architecture spec: ${what}`);
  };
  if (!BACKBONE_NAMES.includes(spec.backbone)) fail(`backbone must be one of ${BACKBONE_NAMES.join(', ')}, got ${String(spec.backbone)}`);
  if (spec.rank !== backboneRank(spec.backbone)) fail(`backbone ${spec.backbone} is rank ${backboneRank(spec.backbone)}, got rank ${String(spec.rank)}`);
  if (!isPositiveInt(spec.inChannels)) fail(`inChannels must be a positive integer, got ${String(spec.inChannels)}`);
  if (!isPositiveInt(spec.outputs)) fail(`outputs must be a positive integer, got ${String(spec.outputs)}`);
  if (spec.backbone === 'resnet1d') {
    if (spec.widthFactor !== undefined) fail('widthFactor applies to WRN backbones only');
    if (spec.baseChannels !== undefined && !isPositiveInt(spec.baseChannels)) fail(`baseChannels must be a positive integer, got ${String(spec.baseChannels)}`);
  } else {
    if (spec.baseChannels !== undefined) fail('baseChannels applies to resnet1d only');
    if (spec.widthFactor !== undefined && !isPositiveInt(spec.widthFactor)) fail(`widthFactor must be a positive integer, got ${String(spec.widthFactor)}`);
  }
  if (spec.padding !== 'same' && spec.padding !== 'causal') fail(`padding must be 'same' or 'causal', got ${String(spec.padding)}`);
  if (spec.padding === 'causal' && spec.rank !== 1) fail('causal padding applies to 1-D backbones only');
  if (!Array.isArray(spec.layers)) fail('layers must be an array');
  const expected = searchableLayerCount(spec.backbone);
  if (spec.layers.length !== expected) fail(`${spec.backbone} has ${expected} searchable layers, got ${spec.layers.length} choices`);
  spec.layers.forEach((l, i) => {
    if (typeof l !== 'object' || l === null) fail(`layers[${i}] must be an object`);
    if (l.layer !== i) fail(`layers[${i}].layer must be ${i} (layers in order), got ${String(l.layer)}`);
    if (!isPositiveInt(l.kernel)) fail(`layers[${i}].kernel must be a positive integer, got ${String(l.kernel)}`);
    if (!isPositiveInt(l.dilation)) fail(`layers[${i}].dilation must be a positive integer, got ${String(l.dilation)}`);
  });
}

function isPositiveInt(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x > 0;
}
