/**
 * Spread over seeds: per method (and configuration) a box plot (min, quartiles, median, max) with every seed's value drawn as a
 * point over it, and the published mean of the same method (when the task has one) as a diamond beside it.
 */
import type { Comparison, Method } from '../contract/index.ts';
import { AXIS_NAME_STYLE, BASE_OPTION, rowCategoryAxis, type ChartOption } from './chart-types.ts';
import { formatNumber } from './format.ts';
import { boxStatistics } from './stats.ts';
import { METHOD_ORDER, methodLabel, metricAxisName, rowLabel, rowStyle, rowStyles } from './vocabulary.ts';

export const VARIANCE_SERIES = {
  box: 'box: min, quartiles, median, max',
  seeds: 'per-seed value',
  published: 'published mean ± std',
} as const;

/** Horizontal offsets in pixels that keep equal values of several seeds apart, centred on the box. */
export function jitterOffsets(count: number, spacing = 7): number[] {
  return Array.from({ length: count }, (_, i) => (i - (count - 1) / 2) * spacing);
}

export function seedVarianceChart(comparison: Comparison): ChartOption {
  const published = comparison.published?.results ?? [];
  // One box per row of the comparison (a method with several configurations has several), then the methods
  // that only have a published number.
  // Each row in its own shade and dash of its method's colour: two configurations of DASH are told apart.
  const styles = rowStyles(comparison.methods);
  const own = comparison.methods.map((s, i) => ({ method: s.method, configuration: s.configuration?.label ?? '', label: rowLabel(s.method, s.configuration?.label ?? ''), style: styles[i]!, stats: s as (typeof comparison.methods)[number] | undefined }));
  const others = METHOD_ORDER.filter((m) => !own.some((o) => o.method === m) && published.some((p) => p.method === m));
  const entries = [...own, ...others.map((m) => ({ method: m, configuration: '', label: methodLabel(m), style: rowStyle(m, 0), stats: undefined }))];
  const categories = entries.map((e) => e.label);

  const boxes = entries.map((e) => {
    const values = e.stats?.values.map((v) => v.value) ?? [];
    if (values.length === 0) return '-';
    return { value: boxStatistics(values), itemStyle: { color: '#ffffff', borderColor: e.style.color, borderWidth: 1.5, borderType: e.style.dash } };
  });

  const seedPoints = entries.flatMap((e, index) => {
    const values = [...(e.stats?.values ?? [])].sort((a, b) => a.seed - b.seed);
    const offsets = jitterOffsets(values.length);
    return values.map((v, i) => ({
      name: `seed ${v.seed} (run ${v.runId})`,
      value: [index, v.value],
      symbolOffset: [offsets[i]!, 0],
      symbol: e.style.symbol,
      itemStyle: { color: e.style.color, opacity: 0.9, borderColor: '#ffffff', borderWidth: 1 },
    }));
  });

  // The published number sits beside the method's first row.
  const publishedPoints = entries.flatMap((e, index) => {
    const p = published.find((r) => r.method === e.method);
    if (p === undefined || entries.findIndex((o) => o.method === e.method) !== index) return [];
    return [{ name: `${p.label}: ${p.mean} ± ${p.std} (n = ${p.n})`, value: [index, p.mean], itemStyle: { color: rowStyle(e.method, 0).color } }];
  });

  const series: Array<Record<string, unknown>> = [
    { name: VARIANCE_SERIES.box, type: 'boxplot', data: boxes, boxWidth: [18, 46], itemStyle: { color: '#ffffff', borderColor: '#555555' }, tooltip: { trigger: 'item' } },
    { name: VARIANCE_SERIES.seeds, type: 'scatter', data: seedPoints, symbolSize: 9, itemStyle: { color: '#555555' }, z: 4 },
  ];
  if (publishedPoints.length > 0) {
    series.push({ name: VARIANCE_SERIES.published, type: 'scatter', data: publishedPoints, symbol: 'diamond', symbolSize: 13, symbolOffset: [34, 0], itemStyle: { color: '#555555' }, z: 3 });
  }

  return {
    ...BASE_OPTION,
    legend: {
      top: 4,
      data: [
        { name: VARIANCE_SERIES.box, icon: 'rect', itemStyle: { color: '#ffffff', borderColor: '#555555', borderWidth: 1.5 } },
        { name: VARIANCE_SERIES.seeds, icon: 'circle', itemStyle: { color: '#555555' } },
        ...(publishedPoints.length > 0 ? [{ name: VARIANCE_SERIES.published, icon: 'diamond', itemStyle: { color: '#555555' } }] : []),
      ],
    },
    grid: { left: 64, right: 24, top: 44, bottom: 56, containLabel: true },
    tooltip: {
      trigger: 'item',
      formatter: (params: unknown) => {
        const p = params as { seriesName: string; name: string; value: number[]; dataIndex: number };
        if (p.seriesName === VARIANCE_SERIES.box) {
          const [, min, q1, median, q3, max] = p.value.length === 6 ? p.value : [0, ...p.value];
          return `${categories[p.dataIndex]}<br>min ${formatNumber(min)}, Q1 ${formatNumber(q1)}, median ${formatNumber(median)}, Q3 ${formatNumber(q3)}, max ${formatNumber(max)}`;
        }
        return `${categories[p.value[0]!]} ${p.name}: ${formatNumber(p.value[1])}`;
      },
    },
    xAxis: rowCategoryAxis(entries, categories, 'method'),
    yAxis: { type: 'value', scale: true, name: metricAxisName(comparison.metric), nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME_STYLE },
    series,
  } as ChartOption;
}
