/**
 * The renderer's copy of the budget presets against the engine's own (the renderer may not import the engine;
 * this test may): a preset changed in one place and not the other fails here.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GRIDS, PRESET_BUDGETS, PRESET_NAMES, presetGrid } from '../../../../../src/renderer/modules/experiments/presets.ts';
import { defaultSearchSpace, hpConfigurations, PRESETS } from '../../../../../src/shared/engine/index.ts';

describe('renderer presets', () => {
  it('name the engine presets, in the order the form offers them', () => {
    expect([...PRESET_NAMES].sort()).toEqual(Object.keys(PRESETS).sort());
  });

  for (const name of PRESET_NAMES) {
    it(`${name}: epochs, batch sizes, HP trials, sample limits, grid, P-DASH rounds and perturbation tuning match the engine`, () => {
      const engine = PRESETS[name];
      expect(PRESET_BUDGETS[name]).toEqual({
        search: { epochs: engine.search.epochs, batchSize: engine.search.batchSize, grid: engine.search.grid },
        hpSearch: { epochs: engine.hpSearch.epochs, batchSize: engine.hpSearch.batchSize, trials: hpConfigurations(engine.hpSearch.grid).length },
        retrain: { epochs: engine.retrain.epochs, batchSize: engine.retrain.batchSize },
        limits: engine.limits,
        pdash: { rounds: engine.pdash.rounds, keepFraction: engine.pdash.keepFraction },
        perturbation: { tuneEpochs: engine.perturbation.tuneEpochs },
      });
      // Neither a schedule nor epochs per round by default: the form's plan derives them.
      expect(engine.pdash.schedule).toBeNull();
      expect(engine.pdash.roundEpochs).toBeNull();
    });
  }

  it("DASH's default grids per rank match the engine's", () => {
    expect(DEFAULT_GRIDS[1]).toEqual(defaultSearchSpace(1));
    expect(DEFAULT_GRIDS[2]).toEqual(defaultSearchSpace(2));
  });

  it("presetGrid() is the preset's grid, else the rank's default, as a copy", () => {
    expect(presetGrid('smoke', 2)).toEqual({ kernels: [3, 5], dilations: [1, 2] });
    expect(presetGrid('quick', 1)).toEqual(defaultSearchSpace(1));
    presetGrid('quick', 2).kernels.push(99);
    expect(DEFAULT_GRIDS[2].kernels).not.toContain(99);
  });
});
