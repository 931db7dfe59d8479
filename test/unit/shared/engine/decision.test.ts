import { describe, expect, it } from 'vitest';
import { layerDecision, leadInSpread, noiseLead, SeededRandom, UNDECIDED_MARGIN } from '../../../../src/shared/engine/index.ts';

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
    expect(layerDecision([0.25, 0.25, 0.25, 0.25])).toEqual({ leader: 0, margin: 0, entropy: 1, lead: 0, noiseLead: noiseLead(4), decided: false });
    expect(layerDecision([1])).toEqual({ leader: 0, margin: 1, entropy: 0, lead: null, noiseLead: null, decided: true });
    expect(() => layerDecision([])).toThrow(/at least one candidate/);
  });
});

describe('the lead over noise', () => {
  it('measures the lead in units of the sample standard deviation', () => {
    // [3, 1, 0, 0]: mean 1, sample sd sqrt((4 + 0 + 1 + 1) / 3) = sqrt(2), lead (3 - 1) / sqrt(2).
    expect(leadInSpread([3, 1, 0, 0])).toBeCloseTo(Math.SQRT2, 12);
    expect(leadInSpread([0, 3, 0, 1])).toBeCloseTo(Math.SQRT2, 12);
    expect(leadInSpread([2, 2, 2])).toBe(0);
    expect(() => leadInSpread([1])).toThrow(/at least two/);
  });

  it("puts noise's 95% quantile where 200,000 numpy draws put it (1.702 for 4, 1.440 for 10, 1.268 for 20 candidates)", () => {
    expect(noiseLead(4)).toBeCloseTo(1.702, 1);
    expect(noiseLead(10)).toBeCloseTo(1.44, 1);
    expect(noiseLead(20)).toBeCloseTo(1.268, 1);
    expect(noiseLead(20)).toBe(noiseLead(20));
    expect(() => noiseLead(1)).toThrow(/at least two candidates/);
  });

  it('calls a layer whose alpha is large noise undecided although its margin is wide, and a real leader decided', () => {
    // Alpha of 20 candidates drawn as 2 x N(0, 1): softmax margins of several points, a lead noise makes in most draws.
    const rng = new SeededRandom(11);
    let undecided = 0;
    for (let trial = 0; trial < 200; trial++) {
      const d = layerDecision(softmax(Array.from({ length: 20 }, () => 2 * rng.normal())));
      if (d.margin >= UNDECIDED_MARGIN && !d.decided) undecided++;
    }
    // About 95% of noise layers are refused; most of them have a margin beyond one point.
    expect(undecided).toBeGreaterThan(150);
    // One pattern pushed 1.5 above the others (which carry noise of sd 0.2) leads far beyond noise.
    const pushed = Array.from({ length: 20 }, (_, i) => (i === 7 ? 1.5 : 0) + 0.2 * rng.normal());
    expect(layerDecision(softmax(pushed))).toMatchObject({ leader: 7, decided: true });
  });

  it('judges two or three candidates by their margin alone', () => {
    expect(layerDecision([0.6, 0.3, 0.1])).toMatchObject({ lead: null, noiseLead: null, decided: true });
  });
});
