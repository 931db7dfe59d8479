/**
 * The 1-D ResNet for sequences (DASH's ECG backbone, after Wang et al.'s time-series ResNet): three blocks with
 * m, 2m, 2m channels, each three times conv(k, d) -> dropout -> BN -> ReLU; the block's input is added through a
 * 1x1 conv + BN where the channel count changes, and not at all otherwise (block 3). Head: mean over time -> dense.
 */
import * as tf from '@tensorflow/tfjs-core';
import { resnet1dBlocks, type BackboneShape, type SeededRandom } from '../../../shared/engine/index.ts';
import { BatchNorm, Dense, dropout, PointwiseConv } from './layers.ts';
import type { ForwardOptions, NamedVariable, Network, SearchableLayerInfo } from './network.ts';
import type { SearchableConv, SearchableConvFactory } from './searchable-conv.ts';

interface Block {
  convs: SearchableConv[];
  norms: BatchNorm[];
  residual: { conv: PointwiseConv; bn: BatchNorm } | null;
}

export class ResNet1d implements Network {
  readonly backbone = 'resnet1d' as const;
  readonly kind: 'supernet' | 'discrete';
  readonly rank = 1 as const;
  readonly variables: NamedVariable[];
  readonly searchableLayers: SearchableLayerInfo[];
  private readonly blocks: Block[];
  private readonly head: Dense;

  constructor(shape: BackboneShape, kind: 'supernet' | 'discrete', makeConv: SearchableConvFactory, rng: SeededRandom) {
    this.kind = kind;
    this.blocks = resnet1dBlocks(shape.inChannels, shape.baseChannels).map((b) => {
      const channels = [b.inChannels, b.outChannels, b.outChannels, b.outChannels];
      return {
        convs: b.convs.map((layer, i) =>
          makeConv({ layer, name: `${b.name}.conv${i + 1}`, rank: 1, inChannels: channels[i]!, outChannels: channels[i + 1]!, stride: 1 }, rng.fork(`${b.name}.conv${i + 1}`)),
        ),
        norms: b.convs.map((_, i) => new BatchNorm(`${b.name}.bn${i + 1}`, b.outChannels)),
        residual: b.residual
          ? { conv: new PointwiseConv(`${b.name}.residual`, 1, b.inChannels, b.outChannels, 1, rng.fork(`${b.name}.residual`)), bn: new BatchNorm(`${b.name}.residual_bn`, b.outChannels) }
          : null,
      };
    });
    this.head = new Dense('head', 2 * shape.baseChannels, shape.outputs, rng.fork('head'));
    this.searchableLayers = this.blocks.flatMap((b) => b.convs.map((c) => c.info));
    this.variables = [
      ...this.blocks.flatMap((b) => [
        ...b.convs.flatMap((c, i) => [...c.variables, ...b.norms[i]!.variables]),
        ...(b.residual === null ? [] : [...b.residual.conv.variables, ...b.residual.bn.variables]),
      ]),
      ...this.head.variables,
    ];
  }

  forward(x: tf.Tensor, o: ForwardOptions): tf.Tensor {
    if (x.rank !== 3) throw new Error(`ResNet1d: input must be [N, L, C], got [${x.shape.join(', ')}]`);
    let h = x;
    for (const b of this.blocks) {
      let out = h;
      b.convs.forEach((conv, i) => {
        out = conv.apply(out, o);
        if (o.training) out = dropout(out, o.dropout, o.rng);
        out = tf.relu(b.norms[i]!.apply(out, o.training));
      });
      h = b.residual === null ? out : tf.add(out, b.residual.bn.apply(b.residual.conv.apply(h), o.training));
    }
    return this.head.apply(tf.mean(h, 1));
  }

  dispose(): void {
    for (const v of this.variables) v.variable.dispose();
  }
}
