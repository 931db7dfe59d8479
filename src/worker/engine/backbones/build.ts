/**
 * Building networks: a supernet over per-layer candidate patterns (search), or a discrete network from an
 * architecture spec (HP search, retraining, export).
 */
import { searchableLayerCount, shapeOfSpec, validateArchitectureSpec, type ArchitectureSpec, type BackboneShape, type LayerSearchSpaces, type MixtureMethod, type SeededRandom } from '../../../shared/engine/index.ts';
import type { Network } from './network.ts';
import { ResNet1d } from './resnet1d.ts';
import { MixtureLayer, PatternLayer, type SearchableConvFactory } from './searchable-conv.ts';
import { WideResNet } from './wide-resnet.ts';

/** Only names tfjs variables uniquely; never affects numbers. */
let supernetCount = 0;

export interface SupernetOptions {
  /** Gumbel-softmax temperature (DASH: 1). */
  temperature: number;
  /** Evaluation method of every mixture conv; absent: the ops module chooses per layer by cost. */
  method?: MixtureMethod;
}

/** A supernet whose searchable layer l mixes `spaces[l]` (layers may have different candidate lists). */
export function buildSupernet(shape: BackboneShape, spaces: LayerSearchSpaces, options: SupernetOptions, rng: SeededRandom): Network {
  const expected = searchableLayerCount(shape.backbone);
  if (spaces.length !== expected) throw new Error(`supernet: ${shape.backbone} has ${expected} searchable layers, got ${spaces.length} candidate lists`);
  spaces.forEach((patterns, layer) => {
    if (patterns.length === 0) throw new Error(`supernet: layer ${layer} has no candidate patterns`);
    for (const p of patterns) {
      if (!Number.isInteger(p.kernel) || p.kernel < 1 || !Number.isInteger(p.dilation) || p.dilation < 1) {
        throw new Error(`supernet: layer ${layer} has an invalid pattern k=${p.kernel} d=${p.dilation}`);
      }
    }
  });
  const prefix = `supernet${++supernetCount}`;
  const makeConv: SearchableConvFactory = (slot, r) => new MixtureLayer(slot, spaces[slot.layer]!, options, r, prefix);
  return construct(shape, 'supernet', makeConv, rng);
}

/** The discrete network of a spec: one (kernel, dilation) conv per searchable layer, with the spec's padding. */
export function buildNetwork(spec: ArchitectureSpec, rng: SeededRandom): Network {
  validateArchitectureSpec(spec);
  const makeConv: SearchableConvFactory = (slot, r) => new PatternLayer(slot, spec.layers[slot.layer]!, spec.padding, r);
  return construct(shapeOfSpec(spec), 'discrete', makeConv, rng);
}

function construct(shape: BackboneShape, kind: 'supernet' | 'discrete', makeConv: SearchableConvFactory, rng: SeededRandom): Network {
  for (const [k, v] of [['inChannels', shape.inChannels], ['outputs', shape.outputs], ['widthFactor', shape.widthFactor], ['baseChannels', shape.baseChannels]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${kind} ${shape.backbone}: ${k} must be a positive integer, got ${v}`);
  }
  return shape.backbone === 'resnet1d' ? new ResNet1d(shape, kind, makeConv, rng) : new WideResNet(shape, kind, makeConv, rng);
}
