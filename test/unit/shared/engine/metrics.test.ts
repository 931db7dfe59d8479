import { describe, expect, it } from 'vitest';
import { MetricSpec } from '../../../../src/shared/contract/index.ts';
import { isBetter, METRIC_INFO, metricValue, type MetricName } from '../../../../src/shared/engine/index.ts';

describe('the metric table', () => {
  it('describes every metric the contract can record', () => {
    expect(Object.keys(METRIC_INFO).sort()).toEqual([...MetricSpec.shape.name.options].sort());
  });

  it("has the engine's metrics all minimised, which HP search, retraining and the random baseline assume (they keep the lowest value)", () => {
    const engineMetrics: MetricName[] = ['error', 'relative-l2', 'one-minus-macro-f1'];
    for (const name of engineMetrics) {
      expect(METRIC_INFO[name].direction).toBe('minimize');
      expect(metricValue(name, 0.5)).toEqual({ name, direction: 'minimize', value: 0.5 });
    }
  });

  it('compares by direction, ties not better', () => {
    expect(isBetter('minimize', 1, 2)).toBe(true);
    expect(isBetter('maximize', 1, 2)).toBe(false);
    expect(isBetter('maximize', 2, 2)).toBe(false);
  });
});
