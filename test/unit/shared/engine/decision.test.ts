import { describe, expect, it } from 'vitest';
import { layerDecision, UNDECIDED_MARGIN } from '../../../../src/shared/engine/index.ts';

const softmax = (alpha: readonly number[]): number[] => {
  const max = Math.max(...alpha);
  const e = alpha.map((a) => Math.exp(a - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
};

describe('layerDecision', () => {
  it('calls a near-uniform layer undecided, whatever its argmax', () => {
    // What `quick` left: every pattern within 0.7% of uniform (16 patterns).
    const p = softmax(Array.from({ length: 16 }, (_, i) => (i === 5 ? 0.007 : 0)));
    const d = layerDecision(p);
    expect(d.leader).toBe(5);
    expect(d.margin).toBeLessThan(UNDECIDED_MARGIN);
    expect(d.entropy).toBeGreaterThan(0.999);
    expect(d.decided).toBe(false);
  });

  it('calls a layer with a clear leader decided, with the margin and entropy of its probabilities', () => {
    const d = layerDecision([0.7, 0.2, 0.1]);
    expect(d.leader).toBe(0);
    expect(d.margin).toBeCloseTo(0.5, 12);
    const h = -(0.7 * Math.log(0.7) + 0.2 * Math.log(0.2) + 0.1 * Math.log(0.1));
    expect(d.entropy).toBeCloseTo(h / Math.log(3), 12);
    expect(d.decided).toBe(true);
  });

  it('draws the line at UNDECIDED_MARGIN, takes the first of tied leaders, and decides a single candidate', () => {
    expect(layerDecision([0.5 + UNDECIDED_MARGIN / 2, 0.5 - UNDECIDED_MARGIN / 2]).decided).toBe(true);
    expect(layerDecision([0.5 + UNDECIDED_MARGIN / 4, 0.5 - UNDECIDED_MARGIN / 4]).decided).toBe(false);
    expect(layerDecision([0.25, 0.25, 0.25, 0.25])).toEqual({ leader: 0, margin: 0, entropy: 1, decided: false });
    expect(layerDecision([1])).toEqual({ leader: 0, margin: 1, entropy: 0, decided: true });
    expect(() => layerDecision([])).toThrow(/at least one candidate/);
  });
});
