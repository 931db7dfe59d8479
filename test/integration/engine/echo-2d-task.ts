/**
 * A generated 2-D task whose class is set only by a horizontal echo between pixels ECHO_OFFSET = 56 columns apart,
 * so a network must see at least 57 consecutive columns to beat chance:
 *
 *   x[r, c] = n[r, c + L] + s * a * n[r, c],   n ~ N(0, 1) i.i.d. over an H x (W + L) field,
 *   class 1: s = +1 (echo), class 0: s = -1 (inverted echo).
 *
 * Pixels L apart in a row share one noise value (covariance s * a, correlation s * a / (1 + a^2)); every other pair
 * of pixels is uncorrelated, and all are N(0, 1 + a^2). So any block of at most L consecutive columns (all rows) is
 * i.i.d. N(0, 1 + a^2) in both classes: nothing narrower than L + 1 columns tells them apart. The noise is drawn
 * L columns wider than the image, so edge columns have the same variance as the rest (no edge effects).
 *
 * The WRN-16 backbone cannot see it. Its receptive field along one axis is 1 + sum over its 13 convs of
 * d (k - 1) J, where J is the product of the strides before the conv (the 1x1 shortcuts add nothing). With 3x3,
 * dilation 1 everywhere and stride 2 on conv2 of the first block of stages 2 and 3:
 *
 *   stem                              J = 1: 2
 *   stage 1, 4 convs                  J = 1: 4 x 2 = 8
 *   stage 2 block 1, conv1 and conv2  J = 1: 2 x 2 = 4   (conv2's stride 2 applies to what follows)
 *   stage 2 block 2, 2 convs          J = 2: 2 x 4 = 8
 *   stage 3 block 1, conv1 and conv2  J = 2: 2 x 4 = 8   (conv2 strides again)
 *   stage 3 block 2, 2 convs          J = 4: 2 x 8 = 16
 *
 * field = 1 + 2 + 8 + 4 + 8 + 8 + 16 = 47 pixels, which relates pixels at most 46 apart: 56 is beyond it, with room
 * to spare. The head's global average pool sees the whole image, but it only averages features that each see 47
 * columns, and those are distributed alike in both classes.
 *
 * Size: 4 x 112. Width 2L leaves W - L = 56 echo pairs per row, 224 per image, so the sample correlation at the
 * offset has a standard deviation of about 1/sqrt(224) = 0.07 against a class gap of 2a/(1+a^2) = 1 at a = 1: the
 * right field can be near-perfect. Four rows keep the WRN's two strides meaningful vertically (4 -> 2 -> 1) while
 * the image stays small: 448 pixels, about half of the 16 x 52 NinaPro-sized input that `quick` is costed on, and
 * on 4 rows the convs drop every vertical tap with |offset| > 3 (conv-geometry's reachableTaps), so wide dilations
 * cost little.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RunDataset, InMemorySplit } from '../../../src/worker/engine/data/dataset.ts';
import {
  DEFAULT_WIDTH_FACTOR,
  SeededRandom,
  searchableLayerCount,
  validateArchitectureSpec,
  wrnBlocks,
  type ArchitectureSpec,
} from '../../../src/shared/engine/index.ts';

/** The planted relation's length: pixels this many columns apart echo each other. */
export const ECHO_OFFSET = 56;
/** The image the acceptance runs use (see the file comment for why). */
export const ECHO_IMAGE = { height: 4, width: 112 } as const;

export interface Echo2dOptions {
  height: number;
  width: number;
  /** Columns between a pixel and its echo (L). */
  offset: number;
  /** Echo amplitude a. */
  amplitude: number;
  counts: { train: number; validation: number; test: number };
}

/** The task's images [n, H, W] (row-major, one channel) and labels, drawn from the seed. */
export function echo2dSamples(seed: number, o: Omit<Echo2dOptions, 'counts'>, n: number): { x: Float32Array; y: Int32Array } {
  checkOptions(o);
  const rng = new SeededRandom(seed);
  const { height: h, width: w, offset: lag } = o;
  const x = new Float32Array(n * h * w);
  const y = new Int32Array(n);
  const noise = new Float32Array(w + lag);
  for (let s = 0; s < n; s++) {
    const cls = rng.int(2);
    y[s] = cls;
    const sign = cls === 1 ? 1 : -1;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < noise.length; c++) noise[c] = rng.normal();
      const row = (s * h + r) * w;
      for (let c = 0; c < w; c++) x[row + c] = noise[c + lag]! + sign * o.amplitude * noise[c]!;
    }
  }
  return { x, y };
}

/** The task as a RunDataset: channels-last [H, W, 1] images, two classes, split in the order train, validation, test. */
export function echo2dTask(seed: number, o: Echo2dOptions): RunDataset {
  const n = o.counts.train + o.counts.validation + o.counts.test;
  const { x, y } = echo2dSamples(seed, o, n);
  const per = o.height * o.width;
  const part = (from: number, to: number): InMemorySplit => ({
    x: tf.tensor4d(x.slice(from * per, to * per), [to - from, o.height, o.width, 1]),
    y: tf.tensor1d(y.slice(from, to), 'int32'),
  });
  const { train, validation } = o.counts;
  return {
    task: { kind: 'classification', metric: 'error', inputShape: [o.height, o.width, 1], numClasses: 2 },
    train: part(0, train),
    validation: part(train, train + validation),
    test: part(train + validation, n),
  };
}

/**
 * Receptive field of a WRN-16 spec along one axis (both axes alike): 1 + sum of d (k - 1) J over its searchable
 * convs in forward order, J the product of the strides before each (wrnBlocks' topology; none for wrn-dense), as
 * worked out for the backbone in the file comment. It is the extent of what one output can see, not clipped to
 * the image. A conv drops only taps more than (its input width - 1) x J columns away, at least 108 on 4 x 112, so
 * clipping never decides whether the field covers ECHO_OFFSET. Dilated taps leave gaps, so a field that covers
 * the offset is necessary for relating the two pixels, not a proof that one tap pair lands exactly on them.
 */
export function wrnFieldAlongAxis(spec: ArchitectureSpec): number {
  validateArchitectureSpec(spec);
  if (spec.backbone === 'resnet1d') throw new Error('wrnFieldAlongAxis: the spec is a 1-D resnet1d; use chainReceptiveField (lag-task.ts) for it');
  const strides = Array.from({ length: searchableLayerCount(spec.backbone) }, () => 1);
  for (const block of wrnBlocks(spec.widthFactor ?? DEFAULT_WIDTH_FACTOR, spec.backbone === 'wrn-dense')) strides[block.conv2] = block.stride;
  let field = 1;
  let jump = 1;
  spec.layers.forEach((l, i) => {
    field += l.dilation * (l.kernel - 1) * jump;
    jump *= strides[i]!;
  });
  return field;
}

/** Whether one output of the spec's network can see two pixels `offset` columns apart (field >= offset + 1). */
export function coversEcho(spec: ArchitectureSpec, offset: number = ECHO_OFFSET): boolean {
  return wrnFieldAlongAxis(spec) > offset;
}

function checkOptions(o: Omit<Echo2dOptions, 'counts'>): void {
  const positive = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`echo2dTask: ${name} must be a positive integer, got ${v}`);
  };
  positive('height', o.height);
  positive('width', o.width);
  positive('offset', o.offset);
  if (o.offset >= o.width) throw new Error(`echo2dTask: offset ${o.offset} must be below the width ${o.width}, or no pixel pair in a row shows the echo`);
  if (!Number.isFinite(o.amplitude) || o.amplitude <= 0) throw new Error(`echo2dTask: amplitude must be a positive number, got ${o.amplitude}`);
}
