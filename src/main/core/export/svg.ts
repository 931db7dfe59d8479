/**
 * Charts to SVG in Node: ECharts' server-side rendering (no DOM, no canvas), one chart instance per chart,
 * disposed at once. The SVG keeps the legend, axis names and title of the option it is given.
 *
 * ECharts is loaded on first use: it takes most of a second to import, which every `pdash` command and every
 * lab start would otherwise pay for.
 */
import type { ChartOption } from '../../../shared/charts/index.ts';

export type SvgRenderer = (option: ChartOption, width: number, height: number) => string;

let loading: Promise<typeof import('echarts')> | null = null;

export async function svgRenderer(): Promise<SvgRenderer> {
  loading ??= import('echarts');
  const echarts = await loading;
  return (option, width, height) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
    try {
      chart.setOption({ ...option, animation: false });
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
}
