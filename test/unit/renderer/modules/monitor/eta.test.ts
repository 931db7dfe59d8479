import { describe, expect, it } from 'vitest';
import { estimateRemainingSeconds } from '../../../../../src/renderer/modules/monitor/eta.ts';

describe('estimateRemainingSeconds', () => {
  it('extrapolates the recent rate of progress to 100%', () => {
    // 10% in 10 s -> 0.5 left takes 50 s.
    expect(estimateRemainingSeconds([{ at: 0, progress: 0.4 }, { at: 10_000, progress: 0.5 }], 10_000)).toBeCloseTo(50);
  });

  it('counts down between readings', () => {
    expect(estimateRemainingSeconds([{ at: 0, progress: 0.4 }, { at: 10_000, progress: 0.5 }], 15_000)).toBeCloseTo(45);
  });

  it('uses only the last minute of readings', () => {
    const samples = [
      { at: 0, progress: 0 },
      { at: 100_000, progress: 0.5 },
      { at: 110_000, progress: 0.6 },
    ];
    expect(estimateRemainingSeconds(samples, 110_000)).toBeCloseTo(40);
  });

  it('says nothing until it has seen progress over a couple of seconds', () => {
    expect(estimateRemainingSeconds([], 0)).toBeNull();
    expect(estimateRemainingSeconds([{ at: 0, progress: 0.1 }], 0)).toBeNull();
    expect(estimateRemainingSeconds([{ at: 0, progress: 0.1 }, { at: 500, progress: 0.2 }], 500)).toBeNull();
    expect(estimateRemainingSeconds([{ at: 0, progress: 0.2 }, { at: 5000, progress: 0.2 }], 5000)).toBeNull();
  });

  it('is 0 when the run is complete', () => {
    expect(estimateRemainingSeconds([{ at: 0, progress: 1 }], 0)).toBe(0);
  });
});
