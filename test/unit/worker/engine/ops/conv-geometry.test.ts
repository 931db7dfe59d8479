import { describe, expect, it } from 'vitest';
import { aggregateAxis, explicitPads, extent, padBefore, placeInAggregate, reachableTaps } from '../../../../../src/worker/engine/ops/conv-geometry.ts';

describe('conv geometry', () => {
  it("'same' puts floor((e-1)/2) before (TF's split; the extra tap of an even extent after the centre), 'causal' e-1", () => {
    expect(extent(9, 15)).toBe(121);
    expect(padBefore(3, 1, 'same')).toBe(1);
    expect(padBefore(4, 1, 'same')).toBe(1); // taps at -1, 0, 1, 2
    expect(padBefore(2, 3, 'same')).toBe(1); // extent 4: taps at -1, +2
    expect(padBefore(5, 4, 'causal')).toBe(16);
  });

  it('k=9 d=15 on n=16 keeps the 3 taps at -15, 0, 15; on n=52 the 7 taps at -45..45', () => {
    expect(reachableTaps(9, 15, 16, 'same')).toEqual({ start: 3, count: 3, step: 15, firstOffset: -15 });
    expect(reachableTaps(9, 15, 52, 'same')).toEqual({ start: 1, count: 7, step: 15, firstOffset: -45 });
    expect(explicitPads(reachableTaps(9, 15, 16, 'same'))).toEqual([15, 15]);
  });

  it('causal k=5 d=4 on n=7 keeps taps at -4 and 0 only; an even extent can miss a short input entirely', () => {
    expect(reachableTaps(5, 4, 7, 'causal')).toEqual({ start: 3, count: 2, step: 4, firstOffset: -4 });
    expect(explicitPads(reachableTaps(5, 4, 7, 'causal'))).toEqual([4, 0]);
    expect(reachableTaps(2, 9, 4, 'same').count).toBe(0); // taps at -4 and +5 on a length-4 input
  });

  it('aggregated S=121 on n=16 crops to 31 centred taps, and every pattern lands inside', () => {
    const agg = aggregateAxis(121, 16);
    expect(agg).toEqual({ full: 121, start: 45, size: 31, firstOffset: -15 });
    expect(placeInAggregate(reachableTaps(9, 15, 16, 'same'), agg)).toBe(0);
    expect(placeInAggregate(reachableTaps(3, 1, 16, 'same'), agg)).toBe(14);
    expect(aggregateAxis(25, 100)).toEqual({ full: 25, start: 0, size: 25, firstOffset: -12 });
  });
});
