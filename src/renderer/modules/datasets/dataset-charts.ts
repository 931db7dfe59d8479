/**
 * ECharts options for the dataset detail panel, as pure functions of `datasets/show` answers: class balance,
 * and samples drawn from their flattened values (1-D: one trace per channel; 2-D: one heatmap per channel).
 */
import type { DatasetDetail } from '../../../shared/contract/index.ts';
import { divergingScale, seriesPalette, sequentialScale, type LabChartOption } from '../../components/charts/echarts.ts';
import { formatNumber } from '../../format/numbers.ts';

export type DatasetSample = DatasetDetail['samples'][number];

const splitTitles = { train: 'train', val: 'validation', test: 'test' } as const;

export function classLabels(detail: Pick<DatasetDetail, 'classes' | 'classNames'>): string[] {
  const count = detail.classes ?? 0;
  return Array.from({ length: count }, (_, index) => detail.classNames?.[index] ?? String(index));
}

/** Samples per class in each split, grouped bars. Null when the task has no classes. */
export function classBalanceOption(detail: DatasetDetail): LabChartOption | null {
  const counts = detail.classCounts;
  if (counts === null || detail.classes === null) return null;
  const labels = classLabels(detail);
  const splits = (['train', 'val', 'test'] as const).filter((split) => counts[split].some((count) => count > 0));
  return {
    animation: false,
    color: seriesPalette,
    grid: { left: 48, right: 12, top: 30, bottom: 28 },
    legend: { top: 0, data: splits.map((split) => splitTitles[split]) },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    xAxis: { type: 'category', data: labels, name: 'class', nameLocation: 'middle', nameGap: 22 },
    yAxis: { type: 'value', name: 'samples', minInterval: 1 },
    series: splits.map((split) => ({ type: 'bar', name: splitTitles[split], data: counts[split].slice(0, labels.length) })),
  };
}

/** A 1-D sample [length, channels] as one array of values per channel. */
export function sampleChannels(values: readonly number[], shape: readonly number[]): number[][] {
  const length = shape[0] ?? values.length;
  const channels = shape[1] ?? 1;
  return Array.from({ length: channels }, (_, channel) => Array.from({ length }, (_, t) => values[t * channels + channel] ?? Number.NaN));
}

export interface ImagePlane {
  height: number;
  width: number;
  /** [column, row, value] triples, row 0 at the top, as ECharts heatmaps take them. */
  cells: [number, number, number][];
  min: number;
  max: number;
}

/** Channel `channel` of a 2-D sample [height, width, channels] (C order). */
export function imagePlane(values: readonly number[], shape: readonly number[], channel: number): ImagePlane {
  const height = shape[0] ?? 0;
  const width = shape[1] ?? 0;
  const channels = shape[2] ?? 1;
  const cells: [number, number, number][] = [];
  let min = Infinity;
  let max = -Infinity;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const value = values[(row * width + column) * channels + channel] ?? Number.NaN;
      cells.push([column, row, value]);
      if (Number.isFinite(value)) {
        min = Math.min(min, value);
        max = Math.max(max, value);
      }
    }
  }
  if (min > max) [min, max] = [0, 0];
  return { height, width, cells, min, max };
}

/** Values over positions 0 … length − 1, one line per channel (`name` prefixes the legend: "x", "y"). */
export function traceOption(channels: readonly (readonly number[])[], name: string): LabChartOption {
  const length = channels[0]?.length ?? 0;
  return {
    animation: false,
    color: seriesPalette,
    grid: { left: 40, right: 12, top: channels.length > 1 ? 26 : 10, bottom: 22 },
    legend: channels.length > 1 ? { top: 0, type: 'scroll' } : { show: false },
    tooltip: { trigger: 'axis', valueFormatter: (value) => (typeof value === 'number' ? formatNumber(value) : String(value)) },
    xAxis: { type: 'value', min: 0, max: Math.max(1, length - 1), splitNumber: 4, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', scale: true, splitNumber: 3 },
    series: channels.map((values, channel) => ({
      type: 'line',
      name: `${name} channel ${channel}`,
      data: values.map((value, t) => [t, value]),
      showSymbol: false,
      sampling: 'lttb',
      lineStyle: { width: 1.2 },
    })),
  };
}

/** Square cells: the plotting area of a heatmap, its longer side `longest` pixels. */
export function heatmapBox(plane: Pick<ImagePlane, 'height' | 'width'>, longest = 150): { width: number; height: number } {
  const cell = longest / Math.max(1, plane.width, plane.height);
  return { width: Math.round(cell * Math.max(1, plane.width)), height: Math.round(cell * Math.max(1, plane.height)) };
}

/** The chart height that holds a heatmap's box with its axis labels. */
export function heatmapChartHeight(plane: Pick<ImagePlane, 'height' | 'width'>): number {
  return heatmapBox(plane).height + 30;
}

export function heatmapOption(plane: ImagePlane, options: { diverging?: boolean } = {}): LabChartOption {
  const symmetric = options.diverging === true && plane.min < 0 && plane.max > 0;
  const bound = Math.max(Math.abs(plane.min), Math.abs(plane.max));
  const low = symmetric ? -bound : plane.min;
  const high = symmetric ? bound : plane.max === plane.min ? plane.min + 1 : plane.max;
  // About five labelled rows and columns, whatever the size of the image.
  const every = (count: number): number => Math.max(0, Math.ceil(count / 5) - 1);
  return {
    animation: false,
    grid: { left: 28, top: 8, ...heatmapBox(plane) },
    tooltip: { formatter: (params) => {
      const value = (params as { value?: unknown }).value;
      if (!Array.isArray(value)) return '';
      return `row ${String(value[1])}, column ${String(value[0])}: ${typeof value[2] === 'number' ? formatNumber(value[2]) : '—'}`;
    } },
    xAxis: { type: 'category', data: Array.from({ length: plane.width }, (_, i) => i), axisLabel: { interval: every(plane.width) }, axisTick: { show: false } },
    yAxis: { type: 'category', data: Array.from({ length: plane.height }, (_, i) => i), inverse: true, axisLabel: { interval: every(plane.height) }, axisTick: { show: false } },
    visualMap: {
      type: 'continuous',
      min: low,
      max: high,
      text: [formatNumber(high, 3), formatNumber(low, 3)],
      textGap: 4,
      textStyle: { fontSize: 10 },
      calculable: false,
      orient: 'vertical',
      left: 28 + heatmapBox(plane).width + 8,
      top: 8,
      itemHeight: Math.max(40, heatmapBox(plane).height - 28),
      itemWidth: 9,
      inRange: { color: symmetric ? divergingScale : sequentialScale },
    },
    series: [{ type: 'heatmap', data: plane.cells, progressive: 0 }],
  };
}

/** What a sample's target reads as: a class name, a few values, or "a map" for dense targets plotted apart. */
export function describeTarget(detail: Pick<DatasetDetail, 'kind' | 'classes' | 'classNames'>, y: readonly number[]): string {
  if (detail.kind === 'classification') {
    const index = y[0] ?? -1;
    const name = detail.classNames?.[index];
    return name === undefined ? `class ${index}` : `class ${index} (${name})`;
  }
  if (detail.kind === 'dense') return `target map (${y.length} values)`;
  const shown = y.slice(0, 4).map((value) => formatNumber(value, 3));
  return `target ${shown.join(', ')}${y.length > 4 ? `, … (${y.length} values)` : ''}`;
}
