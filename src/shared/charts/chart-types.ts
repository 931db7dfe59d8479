import type { EChartsOption } from 'echarts';
import type { Comparison, RunDetail } from '../contract/index.ts';
import { methodLabel } from './vocabulary.ts';

/** An ECharts option object; the builders return plain data (plus tooltip formatters) and never touch a DOM. */
export type ChartOption = EChartsOption;

/** What the Compare view and the exporters draw from: one comparison and the details of its runs. */
export interface CompareData {
  comparison: Comparison;
  /** Details of the comparison's runs (any order; unfinished runs included). */
  runs: readonly RunDetail[];
}

/** A chart ready to render: on screen in a panel, or to SVG at this size in a report. */
export interface ChartSpec {
  id: string;
  title: string;
  /** One or two sentences saying what is drawn, for a figure caption. */
  caption: string;
  option: ChartOption;
  width: number;
  height: number;
}

/** Common look: no animation (SVG export renders the first frame); Helvetica or metric twins, whose widths ECharts assumes when it lays out an SVG without a browser. */
export const BASE_OPTION = {
  animation: false,
  textStyle: { fontFamily: 'Helvetica, Arial, Liberation Sans, Nimbus Sans, sans-serif' },
} as const;

export const AXIS_NAME_STYLE = { fontSize: 12, color: '#333333' } as const;

/** The same option with a title on top (standalone SVGs carry their own title; panels on screen have a heading). */
export function withTitle(option: ChartOption, title: string, subtitle?: string): ChartOption {
  const grid = (option.grid ?? {}) as Record<string, unknown>;
  return {
    ...option,
    title: { text: title, ...(subtitle ? { subtext: subtitle } : {}), left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 600 } },
    grid: { ...grid, top: typeof grid.top === 'number' ? grid.top + 28 : 72 },
    legend: { ...((option.legend ?? {}) as Record<string, unknown>), top: 30 },
  };
}

/** A category of a chart's x axis that stands for a comparison row: its method, its configuration label and a note ("n = 3"). */
export interface RowCategory {
  method: string;
  configuration: string;
  note?: string;
}

/** The narrowest plot a compare chart gets: a 440 px panel less the grid's margins and the value axis's labels. */
const NARROWEST_PLOT = 300;
const LABEL_LINE_HEIGHT = 14;
const ROTATED_LABEL_WIDTH = 130;

/**
 * A category x axis of comparison rows whose labels never run into each other, even with several long row labels
 * in the narrowest panel: each label on lines of its own (method, configuration, note) wrapped within its share of
 * the axis, or, where a share is too narrow to read, rotated and cut short with an ellipsis (the tooltip names the
 * row in full). `data` stays each row's one-line name.
 */
export function rowCategoryAxis(rows: readonly RowCategory[], data: readonly string[], name: string): Record<string, unknown> {
  const parts = rows.map((r) => [methodLabel(r.method), ...(r.configuration === '' ? [] : [`(${r.configuration})`]), ...(r.note ? [r.note] : [])]);
  const share = Math.floor(NARROWEST_PLOT / Math.max(1, rows.length)) - 8;
  const wrap = share >= 64;
  const axisLabel = wrap
    ? { interval: 0, width: share, overflow: 'break', lineHeight: LABEL_LINE_HEIGHT, formatter: (value: string, index: number) => parts[index]?.join('\n') ?? value }
    : { interval: 0, rotate: 30, width: ROTATED_LABEL_WIDTH, overflow: 'truncate', ellipsis: '…', formatter: (value: string, index: number) => parts[index]?.join(' ') ?? value };
  return {
    type: 'category',
    data: [...data],
    name,
    nameLocation: 'middle',
    // The name goes below the labels, however many lines they take, a line's height clear of them.
    nameMoveOverlap: true,
    nameGap: 12,
    nameTextStyle: { ...AXIS_NAME_STYLE, textMargin: [LABEL_LINE_HEIGHT / 2, 0] },
    axisTick: { alignWithLabel: true },
    axisLabel,
  };
}

