/**
 * The ECharts pieces the Compare view draws with, registered once (tree-shaken `echarts/core`). Charts render
 * as SVG: crisp in print, and the same renderer that writes a chart's SVG download.
 */
import { BarChart, BoxplotChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { ChartOption } from '../../../shared/charts/index.ts';

use([SVGRenderer, LineChart, BarChart, BoxplotChart, ScatterChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent]);

/** A chart as a standalone SVG document (legend, axis names and title kept), rendered off screen. */
export function chartToSvg(option: ChartOption, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
