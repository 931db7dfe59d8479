import { describe, expect, it } from 'vitest';
import { cellTitle, pruningTimeline, rankingDecimals, scoreText, scoreValue, type PatternCell } from '../../../../../src/renderer/modules/monitor/pruning-timeline.ts';
import { patterns2x2, searchRound } from '../../lab-fixtures.ts';

/** A grid as rows of states, for reading at a glance. */
const states = (grid: PatternCell[][] | null): string[][] | null => grid?.map((row) => row.map((cell) => cell.state)) ?? null;

const round1 = searchRound(1, 2, 2, [[3, 1], [5, 2], [3, 2], [5, 1]], [[5, 1], [3, 2], [5, 2], [3, 1]]);
const round2 = searchRound(2, 2, 1, [[5, 2], [3, 1]], [[3, 2], [5, 1]]);
const plan = { sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 };

describe('pruningTimeline', () => {
  it("per layer and round: what the round kept and pruned, what earlier rounds pruned, and the last round's choice", () => {
    const timeline = pruningTimeline([round2, round1], { plan, searching: false });

    expect(timeline.kernels).toEqual([3, 5]);
    expect(timeline.dilations).toEqual([1, 2]);
    expect(timeline.columns).toEqual([
      { round: 1, from: 4, to: 2, selection: 'argmax', status: 'done' },
      { round: 2, from: 2, to: 1, selection: 'argmax', status: 'done' },
    ]);
    const [layer0, layer1] = timeline.rows;
    expect(layer0!.name).toBe('block1.conv1');
    // rows k = 3, 5; columns d = 1, 2
    expect(states(layer0!.grids[0]!)).toEqual([
      ['kept', 'pruned'],
      ['pruned', 'kept'],
    ]);
    expect(states(layer0!.grids[1]!)).toEqual([
      ['pruned', 'gone'],
      ['gone', 'chosen'],
    ]);
    expect(layer0!.chosen).toEqual({ kernel: 5, dilation: 2 });
    expect(layer1!.chosen).toEqual({ kernel: 3, dilation: 2 });
    expect(layer0!.grids[0]![1]![1]).toEqual({ kernel: 5, dilation: 2, state: 'kept', rank: 2, score: expect.closeTo(0.35, 12) });
  });

  it('a running run: the rounds of its plan not ranked yet are columns, the first of them searching', () => {
    const timeline = pruningTimeline([round1], { plan: { sizes: [4, 2, 1], rounds: 2, roundEpochs: 1, warmupEpochs: 0 }, searching: true });
    expect(timeline.columns.map((c) => [c.round, c.from, c.to, c.status])).toEqual([
      [1, 4, 2, 'done'],
      [2, 2, 1, 'searching'],
    ]);
    expect(timeline.rows[0]!.grids[1]).toBeNull();
    expect(timeline.rows[0]!.chosen).toBeNull();

    const before = pruningTimeline([], { plan: { sizes: [16, 8, 4, 1], rounds: 3, roundEpochs: 3, warmupEpochs: 0 }, searching: true, patterns: patterns2x2 });
    expect(before.columns.map((c) => [c.round, c.from, c.to, c.status])).toEqual([
      [1, 16, 8, 'searching'],
      [2, 8, 4, 'pending'],
      [3, 4, 1, 'pending'],
    ]);
    expect(before.rows).toEqual([]);
    expect(before.kernels).toEqual([3, 5]);
  });

  it('without a plan, the rounds come from the events (a paused run is not searching)', () => {
    const timeline = pruningTimeline([round1], { plan: null, searching: false });
    expect(timeline.columns.map((c) => [c.round, c.status])).toEqual([
      [1, 'done'],
      [2, 'pending'],
    ]);
  });

  it("DASH's selection is one column, round 0, whose kept pattern is the choice", () => {
    const selection = searchRound(0, 1, 1, [[5, 1], [3, 1], [3, 2], [5, 2]]);
    const timeline = pruningTimeline([selection], { plan: null, searching: false });
    expect(timeline.columns).toEqual([{ round: 0, from: 4, to: 1, selection: 'argmax', status: 'done' }]);
    expect(states(timeline.rows[0]!.grids[0]!)).toEqual([
      ['pruned', 'pruned'],
      ['chosen', 'pruned'],
    ]);
    expect(timeline.rows[0]!.chosen).toEqual({ kernel: 5, dilation: 1 });
    expect(cellTitle(timeline.rows[0]!.grids[0]![0]![0]!, timeline.columns[0]!, timeline.rows[0]!.grids[0]!)).toBe('k=3, d=1: not chosen, rank 2 of 4, softmax 35.0%');
  });
});

describe('scores', () => {
  it('read as softmax for argmax and as damage for perturbation', () => {
    expect(scoreText('argmax', 0.2461)).toBe('softmax 24.6%');
    expect(scoreText('perturbation', 0.031249)).toBe('damage 0.0312');
    expect(scoreText('perturbation', null)).toBe('no score');
    const cell: PatternCell = { kernel: 5, dilation: 3, state: 'kept', rank: 2, score: 0.141 };
    const other: PatternCell = { kernel: 3, dilation: 3, state: 'pruned', rank: 1, score: 0.2 };
    expect(cellTitle(cell, { round: 1, selection: 'argmax' }, [[cell, other]])).toBe('k=5, d=3: kept, rank 2 of 2, softmax 14.1%');
  });

  it("write softmax scores to the decimals that tell a ranking's scores apart", () => {
    expect(rankingDecimals([0.2509, 0.2502, 0.2497, 0.2492])).toBe(2);
    expect(rankingDecimals([0.25002, 0.25001, 0.24997])).toBe(3);
    expect(rankingDecimals([0.4, 0.35])).toBe(1);
    expect(rankingDecimals([0.25, null])).toBe(1);
    expect(scoreValue('argmax', 0.25086, 3)).toBe('25.086%');
    expect(scoreValue('perturbation', 0.25086, 3)).toBe('0.251');
  });
});
