/**
 * A run's P-DASH rounds and search grid as the monitor reads them from the configuration the lab stored with the
 * run (a resolved RunConfig, as RunService.create stores it).
 */
import { describe, expect, it } from 'vitest';
import { runPdashPlan, runSearchGrid } from '../../../../../src/renderer/modules/monitor/run-plan.ts';
import { resolveConfig, type RunConfig, type RunConfigOverrides } from '../../../../../src/shared/engine/index.ts';

/** What the lab stores for a request of this preset and these overrides, as the contract carries it. */
const stored = (preset: RunConfig['preset'], overrides: RunConfigOverrides = {}): Record<string, unknown> => ({ ...resolveConfig(preset, overrides) });

describe('runSearchGrid', () => {
  it("is the grid the run was created with, else (stored as null) the default for the data's rank", () => {
    expect(runSearchGrid(stored('smoke'), 1)).toEqual({ kernels: [3, 5], dilations: [1, 2] });
    expect(runSearchGrid(stored('quick'), 2)).toEqual({ kernels: [3, 5, 7, 9], dilations: [1, 3, 7, 15] });
    expect(runSearchGrid(stored('quick', { search: { grid: { kernels: [3, 7], dilations: [1] } } }), 2)).toEqual({ kernels: [3, 7], dilations: [1] });
    expect(runSearchGrid({ preset: 'custom' }, 2)).toBeNull();
    expect(runSearchGrid(null, 2)).toBeNull();
  });
});

describe('runPdashPlan', () => {
  it("reads a run's rounds from the configuration the lab stored", () => {
    expect(runPdashPlan(stored('smoke', { selection: 'argmax' }), 4)).toEqual({ sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 });
    expect(runPdashPlan(stored('quick', { pdash: { schedule: [16, 4, 1], roundEpochs: 5 } }), 16)).toEqual({ sizes: [16, 4, 1], rounds: 2, roundEpochs: 5, warmupEpochs: 1 });
    // quick's warm-up epoch comes before round 1; the rounds split the 9 epochs after it.
    expect(runPdashPlan(stored('quick', { search: { epochs: 10 }, pdash: { rounds: 2 } }), 16)).toEqual({ sizes: [16, 8, 1], rounds: 2, roundEpochs: 5, warmupEpochs: 1 });
  });

  it('says nothing when the configuration does not fit', () => {
    expect(runPdashPlan({ preset: 'custom' }, 16)).toBeNull();
    expect(runPdashPlan(stored('quick', { pdash: { schedule: [8, 1] } }), 16)).toBeNull();
    expect(runPdashPlan(null, 16)).toBeNull();
  });

  it("never consults the preset: a stored configuration that differs from today's preset shows as stored", () => {
    const smoke = resolveConfig('smoke');
    // As if the smoke preset had searched 8 epochs in 3 rounds when the run was created.
    const older = { ...smoke, search: { ...smoke.search, epochs: 8 }, pdash: { ...smoke.pdash, rounds: 1 } };
    expect(runPdashPlan(older, 4)).toEqual({ sizes: [4, 1], rounds: 1, roundEpochs: 4, warmupEpochs: 0 });
  });
});
