import { describe, expect, it } from 'vitest';
import { hpConfigurations, type HpTrialRecord } from '../../../../../src/shared/engine/index.ts';
import { lrBlockCheck } from '../../../../../src/worker/engine/search/hp-search.ts';

/** Replays the early-exit rule over scores given per trial (null = diverged); returns how many trials run. */
function trialsRun(scores: (number | null)[], lrs: number[], perBlock: number): number {
  const configs = hpConfigurations({ lr: lrs, dropout: Array.from({ length: perBlock }, (_, i) => i / 100), weightDecay: [0], momentum: [0.9] });
  const trials: HpTrialRecord[] = [];
  let previous: number | null = null;
  for (let t = 0; t < configs.length; t++) {
    const check = lrBlockCheck(configs, trials, t, previous);
    if (check.stop) return t;
    previous = check.previousBlockBest;
    const value = scores[t] ?? null;
    trials.push({ trial: t, hp: configs[t]!, value, diverged: value === null });
  }
  return configs.length;
}

describe('HP search early exit (lr blocks)', () => {
  it('runs every block while each improves on the best before it', () => {
    expect(trialsRun([5, 6, 4, 7, 3, 3], [0.1, 0.01, 0.001], 2)).toBe(6);
  });

  it('stops before the third block when the second brings no improvement', () => {
    expect(trialsRun([5, 6, 5, 7, 1, 1], [0.1, 0.01, 0.001], 2)).toBe(4);
  });

  it('never stops after the first block alone, and treats diverged trials as the worst', () => {
    expect(trialsRun([null, null, 2, 3, 1, 1], [0.1, 0.01, 0.001], 2)).toBe(6);
    expect(trialsRun([2, 3, null, null, 1, 1], [0.1, 0.01, 0.001], 2)).toBe(4);
  });
});
