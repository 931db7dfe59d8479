import { describe, expect, it } from 'vitest';
import { gridPatterns, PRESETS, type PdashConfig } from '../../../../../src/shared/engine/index.ts';
import { rankCandidates, roundLayer, survivors } from '../../../../../src/worker/engine/search/prune.ts';

const defaults: PdashConfig = PRESETS.paper.pdash;

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
