/**
 * Chart and table builders shared by the renderer and the exporters: contract DTOs in, ECharts options and
 * table models out. Pure functions; no DOM, no Node.
 */
export * from './architecture.ts';
export * from './chart-types.ts';
export * from './compare-charts.ts';
export * from './cost-charts.ts';
export * from './format.ts';
export * from './learning-curves.ts';
export * from './results-table.ts';
export * from './stats.ts';
export * from './variance-chart.ts';
export * from './vocabulary.ts';
