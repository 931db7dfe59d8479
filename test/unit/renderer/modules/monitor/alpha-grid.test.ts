import { describe, expect, it } from 'vitest';
import { alphaGrid, formatWeight, percentDecimals, snapshotLabel } from '../../../../../src/renderer/modules/monitor/alpha-grid.ts';
import { alphaLayers } from '../../lab-fixtures.ts';

describe('alphaGrid', () => {
  it('lays a layer out as kernels (rows) by dilations (columns) and marks the leading pattern', () => {
    const [layer] = alphaLayers([[0.1, 0.2, 0.3, 0.4]]);
    const grid = alphaGrid(layer!, layer);
    expect(grid.kernels).toEqual([3, 5]);
    expect(grid.dilations).toEqual([1, 2]);
    expect(grid.cells.map((row) => row.map((cell) => cell.weight))).toEqual([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
    expect(grid.cells[1]?.[1]).toMatchObject({ kernel: 5, dilation: 2, leading: true, shade: 1 });
    expect(grid.cells[0]?.[0]).toMatchObject({ leading: false, shade: 0, pruned: false });
  });

  it('marks patterns the layer had at first and has no longer as pruned', () => {
    const [first] = alphaLayers([[0.25, 0.25, 0.25, 0.25]]);
    const later = { ...first!, patterns: first!.patterns.slice(2), alpha: [0, 1], softmax: [0.27, 0.73] };
    const grid = alphaGrid(later, first);
    expect(grid.candidates).toBe(2);
    expect(grid.cells[0]?.map((cell) => [cell.weight, cell.pruned])).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(grid.cells[1]?.[1]?.leading).toBe(true);
  });

  it('shows as many decimals as it takes to tell near-uniform weights apart', () => {
    expect(percentDecimals(0.3)).toBe(1);
    expect(percentDecimals(0.05)).toBe(1);
    expect(percentDecimals(0.004)).toBe(2);
    expect(percentDecimals(0.0007)).toBe(3);
    expect(percentDecimals(0.000001)).toBe(3);
    expect(percentDecimals(0)).toBe(1);
    const [layer] = alphaLayers([[0.2499, 0.2503, 0.2498, 0.25]]);
    expect(alphaGrid(layer!, layer).decimals).toBe(3);
    expect(formatWeight(0.2503, 2)).toBe('25.03');
  });

  it('labels snapshots by search epoch (1-based), with the round when the run has rounds', () => {
    expect(snapshotLabel({ round: 0, epoch: 0 }, false)).toBe('search epoch 1');
    expect(snapshotLabel({ round: 2, epoch: 4 }, true)).toBe('round 2 · search epoch 5');
  });
});
