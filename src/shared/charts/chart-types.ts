import type { EChartsOption } from 'echarts';
import type { Comparison, RunDetail } from '../contract/index.ts';

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
