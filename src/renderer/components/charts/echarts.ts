/**
 * The ECharts pieces the lab's charts use, registered once (tree-shaken `echarts/core`: only what is listed
 * here is bundled). Add a chart or component here before using it in an option.
 */
import { BarChart, HeatmapChart, LineChart, type BarSeriesOption, type HeatmapSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TitleComponentOption,
  type TooltipComponentOption,
  type VisualMapComponentOption,
} from 'echarts/components';
import { use, type ComposeOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([CanvasRenderer, LineChart, BarChart, HeatmapChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent]);

/** An option using only the registered pieces: a chart asking for anything else fails to type-check. */
export type LabChartOption = ComposeOption<
  | LineSeriesOption
  | BarSeriesOption
  | HeatmapSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
  | TooltipComponentOption
  | VisualMapComponentOption
>;

/** The lab's series colours, in order (readable on white, distinct for the usual 2-6 series). */
export const seriesPalette = ['#24579e', '#c2571a', '#2f7d4f', '#8a3ea8', '#b3261e', '#1c8a92', '#7a6a1f', '#586374'];

/** Sequential scale for weights and intensities, light to dark. */
export const sequentialScale = ['#f2f6fb', '#c7d7ec', '#8fb0d9', '#4f83c0', '#24579e', '#163766'];

/** Diverging scale for signed values (negative blue, positive orange). */
export const divergingScale = ['#24579e', '#8fb0d9', '#f4f4f4', '#f0b27a', '#c2571a'];
