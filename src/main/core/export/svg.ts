/**
 * Charts to SVG in Node: ECharts' server-side rendering (no DOM, no canvas), one chart instance per chart,
 * disposed at once. The SVG keeps the legend, axis names and title of the option it is given.
 */
import * as echarts from 'echarts';
import type { ChartOption } from '../../../shared/charts/index.ts';

export function renderSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
