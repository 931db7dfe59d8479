/**
 * The planted 2-D echo task (echo-2d-task.ts) has the statistics its comment promises — balanced classes, every
 * pixel N(0, 1 + a^2) in both classes up to the edges, correlation +-a/(1+a^2) at the planted offset and none at
 * shorter ones — and its receptive-field arithmetic matches fields worked out by hand. No training.
 */
import { describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../src/shared/engine/index.ts';
import { isInMemorySplit } from '../../../src/worker/engine/data/dataset.ts';
import { disposeDataset } from '../../unit/worker/engine/search/synthetic-tasks.ts';
import { useTestBackend } from '../../unit/worker/engine/train/test-backend.ts';
import { coversEcho, ECHO_IMAGE, ECHO_OFFSET, echo2dSamples, echo2dTask, wrnFieldAlongAxis } from './echo-2d-task.ts';

const { height: H, width: W } = ECHO_IMAGE;
const N = 1000;

/** Pearson correlation of pixel pairs (r, c), (r + dr, c + dc) inside the image, over the images of one class. */
function correlation(x: Float32Array, y: Int32Array, cls: number, dr: number, dc: number): number {
  let n = 0, sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
  for (let s = 0; s < y.length; s++) {
    if (y[s] !== cls) continue;
    for (let r = 0; r + dr < H; r++) {
      for (let c = 0; c + dc < W; c++) {
        const a = x[(s * H + r) * W + c]!;
        const b = x[(s * H + r + dr) * W + c + dc]!;
        n += 1;
        sa += a;
        sb += b;
        saa += a * a;
        sbb += b * b;
        sab += a * b;
      }
    }
  }
  const cov = sab / n - (sa / n) * (sb / n);
  return cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
}

/** Mean and variance of each column (pooled over rows and the images of one class). */
function columnMoments(x: Float32Array, y: Int32Array, cls: number): Array<{ mean: number; variance: number }> {
  return Array.from({ length: W }, (_, c) => {
    let n = 0, s1 = 0, s2 = 0;
    for (let s = 0; s < y.length; s++) {
      if (y[s] !== cls) continue;
      for (let r = 0; r < H; r++) {
        const v = x[(s * H + r) * W + c]!;
        n += 1;
        s1 += v;
        s2 += v * v;
      }
    }
    return { mean: s1 / n, variance: s2 / n - (s1 / n) ** 2 };
  });
}

describe(`the echo task on ${H} x ${W} images at offset ${ECHO_OFFSET}`, () => {
  for (const amplitude of [1, 0.5]) {
    const { x, y } = echo2dSamples(7, { ...ECHO_IMAGE, offset: ECHO_OFFSET, amplitude }, N);
    const rho = amplitude / (1 + amplitude ** 2);

    it(`a=${amplitude}: the classes are balanced`, () => {
      const ones = y.reduce((sum, v) => sum + v, 0);
      // Binomial(1000, 1/2) has a standard deviation of 16.
      expect(Math.abs(ones - N / 2)).toBeLessThan(50);
    });

    it(`a=${amplitude}: every column, edges included, has mean 0 and variance 1 + a^2 in both classes`, () => {
      for (const cls of [0, 1]) {
        for (const [c, m] of columnMoments(x, y, cls).entries()) {
          // About 2000 values a column: standard errors 0.03 (mean) and 0.06 (variance at a = 1).
          expect(Math.abs(m.mean), `class ${cls} column ${c} mean`).toBeLessThan(0.15);
          expect(Math.abs(m.variance - (1 + amplitude ** 2)), `class ${cls} column ${c} variance`).toBeLessThan(0.3);
        }
      }
    });

    it(`a=${amplitude}: pixels ${ECHO_OFFSET} apart in a row correlate +${rho.toFixed(2)} in class 1 and -${rho.toFixed(2)} in class 0`, () => {
      expect(Math.abs(correlation(x, y, 1, 0, ECHO_OFFSET) - rho)).toBeLessThan(0.03);
      expect(Math.abs(correlation(x, y, 0, 0, ECHO_OFFSET) + rho)).toBeLessThan(0.03);
    });

    it(`a=${amplitude}: no correlation at shorter offsets, across rows, or across rows at the offset`, () => {
      const offsets: Array<[number, number]> = [[0, 1], [0, 2], [0, 23], [0, 46], [0, ECHO_OFFSET - 1], [1, 0], [1, 1], [1, ECHO_OFFSET]];
      for (const cls of [0, 1]) {
        for (const [dr, dc] of offsets) expect(Math.abs(correlation(x, y, cls, dr, dc)), `class ${cls} offset (${dr}, ${dc})`).toBeLessThan(0.03);
      }
    });
  }

  it('the same seed gives the same images and labels, another seed others', () => {
    const o = { ...ECHO_IMAGE, offset: ECHO_OFFSET, amplitude: 1 };
    const a = echo2dSamples(3, o, 20);
    const b = echo2dSamples(3, o, 20);
    const c = echo2dSamples(4, o, 20);
    expect(b.x).toEqual(a.x);
    expect(b.y).toEqual(a.y);
    expect(c.x).not.toEqual(a.x);
  });

  it('as a dataset: channels-last [H, W, 1] splits of the requested sizes in the order train, validation, test', async () => {
    await useTestBackend();
    const o = { ...ECHO_IMAGE, offset: ECHO_OFFSET, amplitude: 1 };
    const data = echo2dTask(1, { ...o, counts: { train: 6, validation: 3, test: 2 } });
    expect(data.task).toEqual({ kind: 'classification', metric: 'error', inputShape: [H, W, 1], numClasses: 2 });
    const splits = [data.train, data.validation!, data.test].map((split) => (isInMemorySplit(split) ? split : null));
    expect(splits.map((split) => [split?.x.shape, split?.y.shape])).toEqual([6, 3, 2].map((n) => [[n, H, W, 1], [n]]));
    const all = echo2dSamples(1, o, 11);
    expect(splits[2]!.x.dataSync()).toEqual(all.x.slice(9 * H * W));
    expect(Array.from(splits[2]!.y.dataSync())).toEqual(Array.from(all.y.slice(9)));
    disposeDataset(data);
  });

  it('refuses an offset the image cannot show, naming both', () => {
    expect(() => echo2dSamples(1, { height: 4, width: 56, offset: 56, amplitude: 1 }, 1)).toThrow('offset 56 must be below the width 56');
  });
});

describe('receptive field of a WRN-16 spec along one axis', () => {
  const spec = (layers: Array<[number, number]>, backbone: 'wrn' | 'wrn-dense' = 'wrn'): ArchitectureSpec => ({
    backbone,
    rank: 2,
    inChannels: 1,
    outputs: 2,
    padding: 'same',
    layers: layers.map(([kernel, dilation], layer) => ({ layer, kernel, dilation })),
  });
  const backbone: Array<[number, number]> = Array.from({ length: 13 }, () => [3, 1]);
  const changed = (layer: number, k: number, d: number): Array<[number, number]> => backbone.map((p, i) => (i === layer ? [k, d] : p));

  it('the 3x3 backbone sees 47 pixels (1 + 2 + 4x2 + 2x2 + 2x4 + 2x4 + 2x8), short of the offset', () => {
    expect(wrnFieldAlongAxis(spec(backbone))).toBe(47);
    expect(coversEcho(spec(backbone))).toBe(false);
  });

  it('a layer counts d(k-1) times the strides before it, not its own: the stem, a strided conv2, the last conv', () => {
    expect(wrnFieldAlongAxis(spec(changed(0, 9, 15)))).toBe(47 - 2 + 120); // stem, J = 1
    expect(wrnFieldAlongAxis(spec(changed(6, 3, 7)))).toBe(47 - 2 + 14); // stage 2 block 1 conv2 (stride 2), J = 1
    expect(wrnFieldAlongAxis(spec(changed(10, 3, 7)))).toBe(47 - 4 + 28); // stage 3 block 1 conv2 (stride 2), J = 2
    expect(wrnFieldAlongAxis(spec(changed(12, 5, 3)))).toBe(47 - 8 + 48); // stage 3 block 2 conv2, J = 4
  });

  it('covers the offset from a field of offset + 1 on', () => {
    expect(wrnFieldAlongAxis(spec(changed(0, 3, 6)))).toBe(ECHO_OFFSET + 1);
    expect(coversEcho(spec(changed(0, 3, 6)))).toBe(true);
    expect(wrnFieldAlongAxis(spec(changed(0, 12, 1)))).toBe(ECHO_OFFSET);
    expect(coversEcho(spec(changed(0, 12, 1)))).toBe(false);
  });

  it('wrn-dense has no strides: 1 + 13 x 2', () => {
    expect(wrnFieldAlongAxis(spec(backbone, 'wrn-dense'))).toBe(27);
  });

  it('refuses a 1-D spec, pointing to the 1-D field', () => {
    const oneD: ArchitectureSpec = { backbone: 'resnet1d', rank: 1, inChannels: 1, outputs: 2, padding: 'causal', layers: Array.from({ length: 9 }, (_, layer) => ({ layer, kernel: 3, dilation: 1 })) };
    expect(() => wrnFieldAlongAxis(oneD)).toThrow('use chainReceptiveField');
  });
});
