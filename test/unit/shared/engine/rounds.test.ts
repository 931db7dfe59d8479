import { describe, expect, it } from 'vitest';
import { PRESETS, planPdash, planRoundSizes, roundLength, roundMilestones, type PdashConfig } from '../../../../src/shared/engine/index.ts';

const defaults: PdashConfig = PRESETS.paper.pdash;

function sizes(patterns: number, settings: PdashConfig): number[] {
  const planned = planRoundSizes(patterns, settings);
  if (!planned.ok) throw new Error(planned.error);
  return planned.value;
}

function refusal(patterns: number, settings: PdashConfig): string {
  const planned = planRoundSizes(patterns, settings);
  expect(planned.ok).toBe(false);
  return planned.ok ? '' : planned.error;
}

describe('planRoundSizes', () => {
  it('halves per round until the last keeps one: 16 -> 8 -> 4 -> 1 (2-D), 20 -> 10 -> 5 -> 1 (1-D)', () => {
    expect(sizes(16, defaults)).toEqual([16, 8, 4, 1]);
    expect(sizes(20, defaults)).toEqual([20, 10, 5, 1]);
    expect(sizes(20, { ...defaults, rounds: 4 })).toEqual([20, 10, 5, 3, 1]);
    expect(sizes(16, { ...defaults, rounds: 2, keepFraction: 0.25 })).toEqual([16, 4, 1]);
    expect(sizes(4, { ...defaults, rounds: 1 })).toEqual([4, 1]);
  });

  it('takes an explicit schedule as given, which must start at the space size', () => {
    expect(sizes(16, { ...defaults, schedule: [16, 4, 1] })).toEqual([16, 4, 1]);
    expect(refusal(20, { ...defaults, schedule: [16, 4, 1] })).toMatch(/starts at the search space's 20 patterns/);
  });

  it('refuses a fraction that would leave a round with fewer than two candidates or none pruned', () => {
    expect(refusal(4, { ...defaults, rounds: 3 })).toMatch(/leaves 1 for round 3 of 3/);
    expect(refusal(16, { ...defaults, rounds: 2, keepFraction: 0.99 })).toMatch(/leaves 16 for round 2/);
    expect(refusal(1, defaults)).toMatch(/at least 2 candidate patterns/);
  });
});

describe('planPdash', () => {
  it('runs half of the search epochs per round unless set', () => {
    expect(planPdash(16, defaults, 100)).toEqual({ ok: true, value: { sizes: [16, 8, 4, 1], rounds: 3, roundEpochs: 50, warmupEpochs: 0 } });
    expect(planPdash(16, { ...defaults, roundEpochs: 7 }, 5)).toEqual({ ok: true, value: { sizes: [16, 8, 4, 1], rounds: 3, roundEpochs: 7, warmupEpochs: 0 } });
    expect(planPdash(16, defaults, 5)).toMatchObject({ ok: true, value: { roundEpochs: 3, warmupEpochs: 0 } });
  });

  it('puts the warm-up before round 1 and splits the epochs after it', () => {
    const plan = planPdash(20, defaults, { epochs: 8, warmupEpochs: 2 });
    expect(plan).toEqual({ ok: true, value: { sizes: [20, 10, 5, 1], rounds: 3, roundEpochs: 3, warmupEpochs: 2 } });
    if (!plan.ok) return;
    expect([1, 2, 3].map((r) => roundLength(plan.value, r))).toEqual([5, 3, 3]);
  });

  it("scales the search's milestones into each round", () => {
    expect(roundMilestones([4], 8, 4)).toEqual([2]);
    expect(roundMilestones([30, 60, 90, 120, 160], 100, 50)).toEqual([15, 30, 45]);
    expect(roundMilestones([60, 120, 160], 100, 50)).toEqual([30]);
    expect(roundMilestones([4], 6, 1)).toEqual([]);
    expect(roundMilestones([1, 2], 8, 3)).toEqual([1]);
    expect(roundMilestones([3, 4], 8, 4)).toEqual([2]);
    expect(roundMilestones([], 8, 4)).toEqual([]);
  });

  it('says what is wrong with a schedule in words a form can show', () => {
    expect(refusal(16, { ...defaults, schedule: [16, 4] })).toBe('The last round keeps one pattern per layer: end the schedule at 1, e.g. 16,1.');
    expect(refusal(16, { ...defaults, schedule: [16, 8, 8, 1] })).toBe('Each round keeps fewer patterns than the one before.');
    expect(planPdash(16, { ...defaults, schedule: [20, 4, 1] }, 10, { kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] })).toEqual({
      ok: false,
      error: "The schedule starts at the search space's 16 patterns per layer (4 kernel sizes × 4 dilations): e.g. 16,4,1.",
    });
  });
});

describe('planRoundSizes refuses, in words the form shows beside its field', () => {
  const grid16 = { kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] };
  it.each([
    [4, { schedule: null, rounds: 3, keepFraction: 0.5 }, 'leaves 1 for round 3 of 3'],
    [16, { schedule: [8, 4, 1], rounds: 3, keepFraction: 0.5 }, "starts at the search space's 16 patterns per layer (4 kernel sizes × 4 dilations): e.g. 16,4,1"],
    [16, { schedule: [16, 4], rounds: 3, keepFraction: 0.5 }, 'end the schedule at 1'],
    [1, { schedule: null, rounds: 3, keepFraction: 0.5 }, 'at least 2 candidate patterns per layer'],
  ])('%i patterns, %j (%s)', (patterns, settings, message) => {
    const planned = planRoundSizes(patterns, settings, patterns === 16 ? grid16 : undefined);
    expect(planned.ok).toBe(false);
    if (!planned.ok) expect(planned.error).toContain(message);
  });

  it.each([
    [16, { schedule: null, rounds: 1, keepFraction: 0.5 }, [16, 1]],
    [9, { schedule: null, rounds: 2, keepFraction: 0.3 }, [9, 3, 1]],
  ])('%i patterns, %j: %j', (patterns, settings, expected) => {
    expect(planRoundSizes(patterns, settings)).toEqual({ ok: true, value: expected });
  });
});
