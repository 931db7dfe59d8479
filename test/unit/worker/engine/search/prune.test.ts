import { describe, expect, it } from 'vitest';
import { gridPatterns } from '../../../../../src/worker/engine/arch/search-space.ts';
import { PRESETS } from '../../../../../src/worker/engine/presets.ts';
import type { PdashConfig } from '../../../../../src/worker/engine/search/config.ts';
import { rankCandidates, roundLayer, roundSizes, survivors } from '../../../../../src/worker/engine/search/prune.ts';

const defaults: PdashConfig = PRESETS.paper.pdash;

describe('roundSizes', () => {
  it('halves per round until the last keeps one: 16 -> 8 -> 4 -> 1 (2-D), 20 -> 10 -> 5 -> 1 (1-D)', () => {
    expect(roundSizes(16, defaults)).toEqual([16, 8, 4, 1]);
    expect(roundSizes(20, defaults)).toEqual([20, 10, 5, 1]);
    expect(roundSizes(20, { ...defaults, rounds: 4 })).toEqual([20, 10, 5, 3, 1]);
    expect(roundSizes(16, { ...defaults, rounds: 2, keepFraction: 0.25 })).toEqual([16, 4, 1]);
    expect(roundSizes(4, { ...defaults, rounds: 1 })).toEqual([4, 1]);
  });

  it('takes an explicit schedule as given, which must start at the space size', () => {
    expect(roundSizes(16, { ...defaults, schedule: [16, 4, 1] })).toEqual([16, 4, 1]);
    expect(() => roundSizes(20, { ...defaults, schedule: [16, 4, 1] })).toThrow(/must start at the search space's 20 patterns/);
  });

  it('refuses a fraction that would leave a round with fewer than two candidates or none pruned', () => {
    expect(() => roundSizes(4, { ...defaults, rounds: 3 })).toThrow(/leaves 1 for round 3 of 3/);
    expect(() => roundSizes(16, { ...defaults, rounds: 2, keepFraction: 0.99 })).toThrow(/leaves 16 for round 2/);
    expect(() => roundSizes(1, defaults)).toThrow(/at least 2 candidate patterns/);
  });
});

describe('rankCandidates and survivors', () => {
  it('ranks by score, then the tie-break score, then index; non-finite scores last', () => {
    expect(rankCandidates([0.1, 0.4, 0.2, 0.4])).toEqual([1, 3, 2, 0]);
    expect(rankCandidates([1, 1, 1], [0.5, 0.9, 0.5])).toEqual([1, 0, 2]);
    expect(rankCandidates([Number.NaN, -5, Number.NEGATIVE_INFINITY, 0])).toEqual([3, 1, 0, 2]);
  });

  it('keeps the best k in the layer order, so alphas and weights stay kernel-major', () => {
    const patterns = gridPatterns({ kernels: [3, 5], dilations: [1, 2] });
    expect(survivors(patterns, [3, 0, 2, 1], 2)).toEqual([
      { kernel: 3, dilation: 1 },
      { kernel: 5, dilation: 2 },
    ]);
    expect(() => survivors(patterns, [0, 1, 2, 3], 5)).toThrow(/cannot keep 5 of 4/);
  });

  it('reports a round layer: ranking with scores best first, kept in layer order, pruned best first', () => {
    const patterns = gridPatterns({ kernels: [3, 5], dilations: [1, 2] });
    const scores = [0.1, 0.2, Number.NaN, 0.4];
    const layer = roundLayer(2, 'stage1.block1.conv2', patterns, scores, rankCandidates(scores), 2);
    expect(layer).toEqual({
      layer: 2,
      name: 'stage1.block1.conv2',
      ranking: [
        { kernel: 5, dilation: 2, score: 0.4 },
        { kernel: 3, dilation: 2, score: 0.2 },
        { kernel: 3, dilation: 1, score: 0.1 },
        { kernel: 5, dilation: 1, score: null },
      ],
      kept: [
        { kernel: 3, dilation: 2 },
        { kernel: 5, dilation: 2 },
      ],
      pruned: [
        { kernel: 3, dilation: 1 },
        { kernel: 5, dilation: 1 },
      ],
    });
    expect(JSON.parse(JSON.stringify(layer))).toEqual(layer);
  });
});
