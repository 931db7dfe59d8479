import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatMetric, formatNumber, metricTitle } from '../../../../src/renderer/format/numbers.ts';
import { errorTitle } from '../../../../src/renderer/format/errors.ts';

describe('formatting', () => {
  it('durations', () => {
    expect(formatDuration(0.0002)).toBe('< 0.1 s');
    expect(formatDuration(5.31)).toBe('5.3 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(7620)).toBe('2 h 07 min');
    expect(formatDuration(Number.NaN)).toBe('—');
  });

  it('numbers, counts and bytes', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(0.0005)).toBe('5e-4');
    expect(formatNumber(0)).toBe('0');
    expect(formatCount(1826)).toBe('1.8 k');
    expect(formatCount(101920)).toBe('102 k');
    expect(formatBytes(13440)).toBe('13.1 KiB');
  });

  it('metrics read in their own units', () => {
    expect(formatMetric('error', 12.5)).toBe('12.5%');
    expect(formatMetric('relative-l2', 0.0731)).toBe('0.0731');
    expect(metricTitle('one-minus-macro-f1')).toBe('1 − macro F1');
  });

  it('error titles say what failed, by code', () => {
    expect(errorTitle('bad-request', 'start the experiment')).toBe('The lab refused to start the experiment: the request needs a change');
    expect(errorTitle('not-found', 'import the dataset')).toContain('not found');
    expect(errorTitle('cancelled', 'import')).toBe('Import was cancelled');
  });
});
