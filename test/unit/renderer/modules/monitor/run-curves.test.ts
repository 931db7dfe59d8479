import { describe, expect, it } from 'vitest';
import { curveOption, phasesWithEpochs, xAxisNote } from '../../../../../src/renderer/modules/monitor/run-curves.ts';
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

  it('splits the search by P-DASH round, the rounds one after another on the epoch axis', () => {
    const points = [epochPoint({ round: 2, epoch: 0, trainLoss: 0.5 }), epochPoint({ round: 1, epoch: 0, trainLoss: 0.9 }), epochPoint({ round: 1, epoch: 1, trainLoss: 0.8 })];
    const option = curveOption(points, 'search', null);
    expect((option.series as Series[]).map((s) => [s.name, s.data])).toEqual([
      ['train loss (round 1)', [[1, 0.9], [2, 0.8]]],
      ['train loss (round 2)', [[3, 0.5]]],
    ]);
    expect(xAxisNote(points, 'search')).toBe('x: search epoch, rounds one after another');
    expect(xAxisNote([epochPoint()], 'search')).toBe('x: epoch');
  });

  it("draws the random baseline's candidates one after another in one series, validation as marks", () => {
    const points = [
      epochPoint({ trial: 0, epoch: 0, trainLoss: 1.2 }),
      epochPoint({ trial: 0, epoch: 1, trainLoss: 1.0, validation: 50 }),
      epochPoint({ trial: 1, epoch: 0, trainLoss: 1.3 }),
      epochPoint({ trial: 1, epoch: 1, trainLoss: 1.1, validation: 45 }),
    ];
    const series = curveOption(points, 'search', 'error').series as Array<Series & { lineStyle: { width: number } }>;
    expect(series.map((s) => [s.name, s.data])).toEqual([
      ['train loss (candidates)', [[1, 1.2], [2, 1.0], [3, 1.3], [4, 1.1]]],
      ['validation error (%) (candidates)', [[2, 50], [4, 45]]],
    ]);
    expect(series[1]!.lineStyle.width).toBe(0);
    expect(xAxisNote(points, 'search')).toBe('x: epoch, candidates one after another');
  });
});
