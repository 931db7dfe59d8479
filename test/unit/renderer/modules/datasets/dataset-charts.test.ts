import { describe, expect, it } from 'vitest';
import { classBalanceOption, describeTarget, heatmapOption, imagePlane, sampleChannels, traceOption } from '../../../../../src/renderer/modules/datasets/dataset-charts.ts';
import { datasetDetail } from '../../lab-fixtures.ts';

describe('dataset charts', () => {
  it('sampleChannels() splits a [length, channels] sample (C order) into one trace per channel', () => {
    expect(sampleChannels([1, 10, 2, 20, 3, 30], [3, 2])).toEqual([
      [1, 2, 3],
      [10, 20, 30],
    ]);
  });

  it('imagePlane() takes one channel of a [height, width, channels] sample as [column, row, value] cells', () => {
    // 2 x 3 image, 2 channels: value = 100*row + 10*column + channel
    const values: number[] = [];
    for (let row = 0; row < 2; row++) for (let column = 0; column < 3; column++) for (let channel = 0; channel < 2; channel++) values.push(100 * row + 10 * column + channel);
    const plane = imagePlane(values, [2, 3, 2], 1);
    expect(plane.height).toBe(2);
    expect(plane.width).toBe(3);
    expect(plane.cells).toContainEqual([2, 1, 121]);
    expect(plane.cells).toContainEqual([0, 0, 1]);
    expect([plane.min, plane.max]).toEqual([1, 121]);
  });

  it('classBalanceOption() draws one bar series per split, a bar per class', () => {
    const option = classBalanceOption(datasetDetail({ classNames: ['N', 'A'] }));
    expect(option?.xAxis).toMatchObject({ data: ['N', 'A'] });
    expect((option?.series as { name: string; data: number[] }[]).map((s) => [s.name, s.data])).toEqual([
      ['train', [28, 30]],
      ['validation', [4, 2]],
      ['test', [16, 16]],
    ]);
  });

  it('classBalanceOption() is null for tasks without classes', () => {
    expect(classBalanceOption(datasetDetail({ kind: 'dense', classes: null, classCounts: null }))).toBeNull();
  });

  it('traceOption() draws each channel as a downsampled line over positions', () => {
    const option = traceOption([[1, 2, 3]], 'x');
    const series = option.series as { type: string; sampling: string; data: number[][] }[];
    expect(series[0]).toMatchObject({ type: 'line', sampling: 'lttb', data: [[0, 1], [1, 2], [2, 3]] });
  });

  it('heatmapOption() centres a signed plane on zero', () => {
    const option = heatmapOption(imagePlane([-1, 3], [1, 2, 1], 0), { diverging: true });
    expect(option.visualMap).toMatchObject({ min: -3, max: 3 });
  });

  it('describeTarget() names classes, and summarises other targets', () => {
    expect(describeTarget({ kind: 'classification', classes: 2, classNames: ['N', 'A'] }, [1])).toBe('class 1 (A)');
    expect(describeTarget({ kind: 'classification', classes: 2, classNames: null }, [0])).toBe('class 0');
    expect(describeTarget({ kind: 'regression', classes: null, classNames: null }, [0.5, 1, 2, 3, 4])).toBe('target 0.5, 1, 2, 3, … (5 values)');
  });
});
