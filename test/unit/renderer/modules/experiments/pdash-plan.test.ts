/**
 * P-DASH's plan as the form computes it from its fields; the round arithmetic itself is the vocabulary's
 * (test/unit/shared/engine/rounds.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  parseKeepSchedule,
  parsePdash,
  pdashFieldsOf,
  type PdashFields,
} from '../../../../../src/renderer/modules/experiments/pdash-plan.ts';
import { planPdash, PRESETS } from '../../../../../src/shared/engine/index.ts';

const grid16 = { kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] };
const grid4 = { kernels: [3, 5], dilations: [1, 2] };

describe('parseKeepSchedule', () => {
  it('reads a decreasing list', () => {
    expect(parseKeepSchedule('16,4,1')).toEqual({ ok: true, value: [16, 4, 1] });
    expect(parseKeepSchedule(' 16 , 4 ,1')).toEqual({ ok: true, value: [16, 4, 1] });
    expect(parseKeepSchedule('16,16').ok).toBe(false);
    expect(parseKeepSchedule('16,x').ok).toBe(false);
    expect(parseKeepSchedule('16,0').ok).toBe(false);
  });
});

describe('the preset plans', () => {
  it("a preset's own rounds fit its grid, and each round searches half the search epochs after the warm-up", () => {
    // Neither a schedule nor epochs per round by default: the form's plan derives them.
    for (const preset of Object.values(PRESETS)) expect([preset.pdash.schedule, preset.pdash.roundEpochs]).toEqual([null, null]);
    expect(planPdash(4, PRESETS.smoke.pdash, PRESETS.smoke.search.epochs)).toEqual({ ok: true, value: { sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 } });
    // quick: 8 epochs, 1 of warm-up; rounds of ceil(7 / 2) = 4 alpha epochs, the warm-up before round 1.
    expect(planPdash(16, PRESETS.quick.pdash, PRESETS.quick.search)).toEqual({ ok: true, value: { sizes: [16, 8, 4, 1], rounds: 3, roundEpochs: 4, warmupEpochs: 1 } });
    expect(planPdash(20, PRESETS.paper.pdash, PRESETS.paper.search.epochs)).toEqual({ ok: true, value: { sizes: [20, 10, 5, 1], rounds: 3, roundEpochs: 50, warmupEpochs: 0 } });
  });
});

describe('parsePdash', () => {
  const parse = (fields: Partial<PdashFields>, grid = grid4) => parsePdash({ ...pdashFieldsOf('smoke'), ...fields }, { preset: 'smoke', grid, search: { epochs: 2, warmupEpochs: 0 } });

  it("the preset's fields plan its rounds and ask for nothing", () => {
    expect(parse({})).toEqual({ plan: { sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 }, request: undefined, errors: {} });
  });

  it('rounds, keep fraction and epochs per round become the request where they differ from the preset', () => {
    expect(parse({ rounds: '3', keepFraction: '0.75', roundEpochs: '2' }, { kernels: [3, 5, 7], dilations: [1, 2, 3] })).toEqual({
      plan: { sizes: [9, 7, 6, 1], rounds: 3, roundEpochs: 2, warmupEpochs: 0 },
      request: { rounds: 3, keepFraction: 0.75, roundEpochs: 2 },
      errors: {},
    });
  });

  it('a schedule is always sent, checked against the grid', () => {
    expect(parse({ mode: 'schedule', schedule: '4,1' })).toEqual({ plan: { sizes: [4, 1], rounds: 1, roundEpochs: 1, warmupEpochs: 0 }, request: { schedule: [4, 1] }, errors: {} });
    expect(parse({ mode: 'schedule', schedule: '16,4,1' }, grid16).errors).toEqual({});
    expect(parse({ mode: 'schedule', schedule: '16,4,1' }).errors.pdashSchedule).toContain('starts at the search space');
    expect(parse({ mode: 'schedule', schedule: '4,2' }).errors.pdashSchedule).toContain('end the schedule at 1');
    expect(parse({ mode: 'schedule', schedule: '' }).errors.pdashSchedule).toContain('positive whole numbers');
  });

  it('names each wrong field and plans nothing', () => {
    expect(parse({ rounds: '0', keepFraction: '1' })).toMatchObject({ plan: null, errors: { pdashRounds: expect.stringContaining('1 to 10'), pdashKeepFraction: expect.stringContaining('between 0 and 1') } });
    expect(parse({ rounds: '3' })).toMatchObject({ plan: null, errors: { pdashRounds: expect.stringContaining('leaves 1 for round 3 of 3') } });
    expect(parse({ roundEpochs: '0' })).toMatchObject({ plan: null, errors: { pdashRoundEpochs: expect.stringContaining('empty: half the search epochs after the warm-up, 1') } });
  });
});
