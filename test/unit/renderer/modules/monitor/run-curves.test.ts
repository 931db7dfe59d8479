import { describe, expect, it } from 'vitest';
import { curveOption, phasesWithEpochs } from '../../../../../src/renderer/modules/monitor/run-curves.ts';
import { epochPoint } from '../../lab-fixtures.ts';

type Series = { name: string; data: (number | null)[][]; sampling: string; yAxisIndex: number };

describe('run curves', () => {
  it('lists the training phases that have epochs, in pipeline order', () => {
    expect(phasesWithEpochs([epochPoint({ phase: 'retrain' }), epochPoint({ phase: 'search' })])).toEqual(['search', 'retrain']);
  });

  it('draws train loss on the left axis and validation on the right, per epoch (1-based), downsampled', () => {
    const option = curveOption(
      [epochPoint({ phase: 'retrain', epoch: 0, trainLoss: 0.7, validation: 40 }), epochPoint({ phase: 'retrain', epoch: 1, trainLoss: 0.5, validation: 30 })],
      'retrain',
      'error',
    );
    const series = option.series as Series[];
    expect(series.map((s) => [s.name, s.yAxisIndex, s.data])).toEqual([
      ['train loss', 0, [[1, 0.7], [2, 0.5]]],
      ['validation error (%)', 1, [[1, 40], [2, 30]]],
    ]);
    expect(series.every((s) => s.sampling === 'lttb')).toBe(true);
  });

  it('gives each HP-search trial its own series, and a diverged epoch a gap', () => {
    const option = curveOption(
      [epochPoint({ phase: 'hp-search', trial: 0, epoch: 0, trainLoss: 0.6 }), epochPoint({ phase: 'hp-search', trial: 1, epoch: 0, trainLoss: null }), epochPoint({ phase: 'search' })],
      'hp-search',
      null,
    );
    const series = option.series as Series[];
    expect(series.map((s) => [s.name, s.data])).toEqual([
      ['train loss (trial 1)', [[1, 0.6]]],
      ['train loss (trial 2)', [[1, null]]],
    ]);
  });

  it('splits the search by P-DASH round when a run has rounds', () => {
    const option = curveOption([epochPoint({ round: 1 }), epochPoint({ round: 2 })], 'search', null);
    expect((option.series as Series[]).map((s) => s.name)).toEqual(['train loss (round 1)', 'train loss (round 2)']);
  });
});
