/** A run's P-DASH rounds and search grid as the monitor reads them from the configuration the lab stored. */
import { describe, expect, it } from 'vitest';
import { runPdashPlan, runSearchGrid } from '../../../../../src/renderer/modules/monitor/run-plan.ts';

describe('runSearchGrid', () => {
  it("is the grid the request named, else the preset's for the data's rank", () => {
    expect(runSearchGrid({ preset: 'smoke', overrides: {} }, 1)).toEqual({ kernels: [3, 5], dilations: [1, 2] });
    expect(runSearchGrid({ preset: 'quick', overrides: {} }, 2)).toEqual({ kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] });
    expect(runSearchGrid({ preset: 'quick', overrides: { search: { grid: { kernels: [3, 7], dilations: [1] } } } }, 2)).toEqual({ kernels: [3, 7], dilations: [1] });
    expect(runSearchGrid({ preset: 'custom' }, 2)).toBeNull();
  });
});

describe('runPdashPlan', () => {
  it("reads a run's rounds from the configuration the lab stored, defaults from its preset", () => {
    expect(runPdashPlan({ preset: 'smoke', overrides: { selection: 'argmax' }, method: 'pdash' }, 4)).toEqual({ sizes: [4, 2, 1], rounds: 2, roundEpochs: 1 });
    expect(runPdashPlan({ preset: 'quick', overrides: { pdash: { schedule: [16, 4, 1], roundEpochs: 5 } } }, 16)).toEqual({ sizes: [16, 4, 1], rounds: 2, roundEpochs: 5 });
    expect(runPdashPlan({ preset: 'quick', overrides: { search: { epochs: 10 }, pdash: { rounds: 2 } } }, 16)).toEqual({ sizes: [16, 8, 1], rounds: 2, roundEpochs: 5 });
  });

  it('says nothing when the configuration does not fit', () => {
    expect(runPdashPlan({ preset: 'custom' }, 16)).toBeNull();
    expect(runPdashPlan({ preset: 'quick', overrides: { pdash: { schedule: [8, 1] } } }, 16)).toBeNull();
  });
});
