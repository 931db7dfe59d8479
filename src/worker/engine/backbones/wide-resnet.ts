/**
 * WRN-16-k, 2-D, pre-activation (the NAS-Bench-360 / DASH backbone): stem conv (Cin -> 16), three stages of two
 * blocks with widths 16k, 32k, 64k; block = BN-ReLU-conv1 -> dropout -> BN-ReLU-conv2, plus the input (identity)
 * or its 1x1 projection when stride or width changes; head BN-ReLU, then global average pool -> dense, or for
 * dense prediction (all strides 1) the dense layer per pixel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { WRN_STEM_CHANNELS, wrnBlocks, type BackboneShape, type SeededRandom } from '../../../shared/engine/index.ts';
import { BatchNorm, Dense, dropout, PointwiseConv } from './layers.ts';
import type { ForwardOptions, NamedVariable, Network, SearchableLayerInfo } from './network.ts';
import type { SearchableConv, SearchableConvFactory } from './searchable-conv.ts';

interface Block {
  bn1: BatchNorm;
  conv1: SearchableConv;
  bn2: BatchNorm;
  conv2: SearchableConv;
  shortcut: PointwiseConv | null;
}

export class WideResNet implements Network {
  readonly backbone: 'wrn' | 'wrn-dense';
  readonly kind: 'supernet' | 'discrete';
  readonly rank = 2 as const;
  readonly variables: NamedVariable[];
  readonly searchableLayers: SearchableLayerInfo[];
  private readonly stem: SearchableConv;
  private readonly blocks: Block[];
  private readonly headBn: BatchNorm;
  private readonly head: Dense;

  constructor(shape: BackboneShape, kind: 'supernet' | 'discrete', makeConv: SearchableConvFactory, rng: SeededRandom) {
    if (shape.backbone === 'resnet1d') throw new Error('WideResNet: backbone must be wrn or wrn-dense');
    this.backbone = shape.backbone;
    this.kind = kind;
    const dense = shape.backbone === 'wrn-dense';
    this.stem = makeConv({ layer: 0, name: 'stem', rank: 2, inChannels: shape.inChannels, outChannels: WRN_STEM_CHANNELS, stride: 1 }, rng.fork('stem'));
    this.blocks = wrnBlocks(shape.widthFactor, dense).map((b) => ({
      bn1: new BatchNorm(`${b.name}.bn1`, b.inChannels),
      conv1: makeConv({ layer: b.conv1, name: `${b.name}.conv1`, rank: 2, inChannels: b.inChannels, outChannels: b.outChannels, stride: 1 }, rng.fork(`${b.name}.conv1`)),
      bn2: new BatchNorm(`${b.name}.bn2`, b.outChannels),
      conv2: makeConv({ layer: b.conv2, name: `${b.name}.conv2`, rank: 2, inChannels: b.outChannels, outChannels: b.outChannels, stride: b.stride }, rng.fork(`${b.name}.conv2`)),
      shortcut: b.shortcut ? new PointwiseConv(`${b.name}.shortcut`, 2, b.inChannels, b.outChannels, b.stride, rng.fork(`${b.name}.shortcut`)) : null,
    }));
    const last = 64 * shape.widthFactor;
    this.headBn = new BatchNorm('head.bn', last);
    this.head = new Dense('head', last, shape.outputs, rng.fork('head'));
    const convs = [this.stem, ...this.blocks.flatMap((b) => [b.conv1, b.conv2])];
    this.searchableLayers = convs.map((c) => c.info);
    this.variables = [
      ...this.stem.variables,
      ...this.blocks.flatMap((b) => [...b.bn1.variables, ...b.conv1.variables, ...b.bn2.variables, ...b.conv2.variables, ...(b.shortcut?.variables ?? [])]),
      ...this.headBn.variables,
      ...this.head.variables,
    ];
  }

  forward(x: tf.Tensor, o: ForwardOptions): tf.Tensor {
    if (x.rank !== 4) throw new Error(`WideResNet: input must be [N, H, W, C], got [${x.shape.join(', ')}]`);
    let h = this.stem.apply(x, o);
    for (const b of this.blocks) {
      let out = b.conv1.apply(tf.relu(b.bn1.apply(h, o.training)), o);
      if (o.training) out = dropout(out, o.dropout, o.rng);
      out = b.conv2.apply(tf.relu(b.bn2.apply(out, o.training)), o);
      h = tf.add(out, b.shortcut === null ? h : b.shortcut.apply(h));
    }
    h = tf.relu(this.headBn.apply(h, o.training));
    return this.backbone === 'wrn-dense' ? this.head.apply(h) : this.head.apply(tf.mean(h, [1, 2]));
  }

  dispose(): void {
    for (const v of this.variables) v.variable.dispose();
  }
}
