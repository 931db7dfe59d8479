import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { htmlReport } from '../../../../../src/main/core/export/html-report.ts';
import { collectReportData } from '../../../../../src/main/core/export/report-data.ts';
import { svgRenderer, type SvgRenderer } from '../../../../../src/main/core/export/svg.ts';
import { defaultCostAxis } from '../../../../../src/shared/charts/cost-charts.ts';
import { compareCharts } from '../../../../../src/shared/charts/compare-charts.ts';
import { withTitle } from '../../../../../src/shared/charts/chart-types.ts';
import { openComparisonLab, type ComparisonLab } from '../../../../helpers/comparison-lab.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let lab: ComparisonLab;
let renderSvg: SvgRenderer;

beforeAll(async () => {
  renderSvg = await svgRenderer();
});

beforeEach(async () => {
  dir = tempDir();
  lab = await openComparisonLab(dir.path, { publishedTask: 'ninapro', pending: true, name: 'DASH vs P-DASH <script>alert(1)</script>' });
});

afterEach(() => {
  lab.core.close();
  dir.remove();
});

/** The <svg>…</svg> elements of a document. */
function svgs(html: string): string[] {
  return html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

describe('SVG charts rendered in Node', () => {
  it('keep their title, legend and axis names', () => {
    const data = collectReportData(lab.core, { experiment: lab.experimentId });
    const chart = compareCharts({ comparison: data.comparison, runs: data.runs }).find((c) => c.id === 'retrain-validation')!;
    const svg = renderSvg(withTitle(chart.option, chart.title), chart.width, chart.height);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain(`width="${chart.width}"`);
    for (const text of ['Retraining: validation metric per epoch', 'DASH', 'P-DASH', 'retrain epoch', 'validation error (%), lower is better']) expect(svg).toContain(`>${text}</text>`);
  });
});

describe('HTML report', () => {
  it('holds the tables, every chart as inline SVG with legends and axis names, the architectures, configuration, dataset hash and environment', () => {
    const data = collectReportData(lab.core, { experiment: lab.experimentId }, new Date('2026-03-01T12:00:00Z'));
    const html = htmlReport(data, renderSvg);
    expect(html.startsWith('<!doctype html>')).toBe(true);

    // Every method logged the FLOPs it spent, so the report's cost charts count estimated FLOPs.
    expect(defaultCostAxis(data.comparison)).toBe('flops');
    const charts = compareCharts({ comparison: data.comparison, runs: data.runs }, { cost: 'flops' });
    const figures = svgs(html);
    expect(figures).toHaveLength(charts.length);
    expect(charts.map((c) => c.id)).toEqual(['seed-variance', 'retrain-validation', 'retrain-loss', 'search-loss', 'phase-flops', 'metric-vs-compute']);
    const flopsUnitName = /mean estimated (\S+) per run/.exec(figures[4]!)?.[1] ?? 'missing unit';
    // Every chart keeps its legend and both axis names.
    const expectations: string[][] = [
      ['box: min, quartiles, median, max', 'per-seed value', 'published mean ± std', 'method', 'test error (%), lower is better'],
      ['DASH', 'P-DASH', 'retrain epoch', 'validation error (%), lower is better'],
      ['DASH', 'P-DASH', 'retrain epoch', 'retrain train loss, lower is better'],
      ['DASH', 'P-DASH', 'search epoch (all rounds)', 'search train loss, lower is better'],
      ['search', 'HP search', 'retrain', 'test', 'method', `mean estimated ${flopsUnitName} per run`],
      ['DASH', 'P-DASH', `compute spent: estimated ${flopsUnitName} per run (all phases)`, 'test error (%), lower is better'],
    ];
    figures.forEach((svg, i) => {
      for (const text of expectations[i]!) expect(svg, `${charts[i]!.id}: ${text}`).toContain(`>${text.replaceAll('&', '&amp;')}</text>`);
    });

    expect(html).toContain('<strong>5.90 ± 0.10</strong>');
    expect(html).toContain('sample std (n − 1)');
    expect(html).toContain('Not finished, so not counted: 1 DASH run.');
    expect(html).toContain("Welch's t-test");
    // The fixture ran the smoke preset: every row and the table say it is not a result.
    expect(html).toContain('<td>DASH <span class="smoke">smoke: not a result</span></td>');
    expect(html).toContain('<p class="smoke-note"><strong>smoke: not a result — DASH, P-DASH ran the smoke preset');
    expect(html).toContain('<td>[6.30, 6.90]</td>');
    expect(html).toContain('<td>DASH vs P-DASH</td><td>0, 1, 2</td><td>0.7</td><td>0.2646</td><td>4.583</td><td>2</td><td>0.044</td><td>0</td><td>0.250</td><td>2</td>');
    expect(html).toContain('WRN backbone (NAS-Bench-360)');
    expect(html).toContain(lab.dataset.contentHash);
    expect(html).toContain(`v${process.versions.node}`);
    expect(html).toContain('wasm, 2 threads (runs 1, 2, 3, 4, 5, 6)');
    expect(html).toContain('Report written</dt><dd>2026-03-01T12:00:00.000Z');
    expect(html).toContain('k ∈ {3, 5} × d ∈ {1, 2}');
    // Architectures: DASH differs from its modal choice in 2 cells (layers 2 and 3), P-DASH in 1 (layer 7).
    expect(html.match(/class="differs"/g)).toHaveLength(3);
    expect(html).toContain('block2.conv1');
  });

  it('is self-contained and escapes what the user named', () => {
    const html = htmlReport(collectReportData(lab.core, { experiment: lab.experimentId }), renderSvg);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('DASH vs P-DASH &lt;script&gt;alert(1)&lt;/script&gt;');
    // Nothing is fetched: no src/href attributes, no url() but to an element of the page, no @import, no address but the SVG namespaces.
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)|@import/i);
    const addresses = html.match(/https?:\/\/[^\s"'<)]+/g) ?? [];
    expect(new Set(addresses)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('reports any set of runs, titled by their ids', () => {
    const data = collectReportData(lab.core, { runs: [lab.runIds[0]!, lab.runIds[1]!] });
    expect(data.title).toBe('Runs 1, 2');
    expect(data.comparison.methods.map((m) => m.n)).toEqual([1, 1]);
    const html = htmlReport(data, renderSvg);
    expect(html).toContain('<h1>Runs 1, 2</h1>');
    expect(svgs(html).length).toBeGreaterThan(0);
  });
});
