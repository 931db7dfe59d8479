/**
 * The report as one self-contained HTML file: tables, every chart as inline SVG (with its legend and axis
 * names), the chosen architectures, the configuration, the dataset with its content hash, and the environment.
 * No script, no external file, no web font: it opens offline and prints (to PDF) as it shows.
 */
import { architectureGrid, compareCharts, defaultCostAxis, formatCount, formatNumber, formatSeconds, methodLabel, patternText, resultsTable, SMOKE_MARK, STD_NOTE } from '../../../shared/charts/index.ts';
import { METRIC_INFO } from '../../../shared/engine/index.ts';
import type { ReportData } from './report-data.ts';
import type { SvgRenderer } from './svg.ts';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const e = escapeHtml;

function table(head: string[], rows: string[][], className = ''): string {
  return `<table${className ? ` class="${className}"` : ''}><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function facts(entries: Array<[string, string]>): string {
  return `<dl class="facts">${entries.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function resultsSection(data: ReportData): string {
  const t = resultsTable(data.comparison);
  const withPublished = t.published !== null;
  const pending = t.rows.filter((r) => r.pending > 0);
  const rows = t.rows.map((r) => [
    r.smoke ? `${e(r.label)} <span class="smoke">${e(SMOKE_MARK)}</span>` : e(r.label),
    String(r.n),
    r.best ? `<strong>${e(r.text.meanStd)}</strong>` : e(r.text.meanStd),
    e(r.text.min),
    e(r.text.max),
    ...(withPublished ? [r.published ? `${e(r.published.text)} <span class="muted">(n = ${r.published.n})</span>` : '–'] : []),
    r.interval ? e(r.interval.text) : '–',
  ]);
  const level = t.rows.find((r) => r.interval !== null)?.interval;
  const intervalHead = level ? `${Math.round(level.level * 100)}% interval <span class="muted">(bootstrap)</span>` : 'Interval';
  const parts = [
    '<section id="results"><h2>Results</h2>',
    `<p>Test ${e(t.metricLabel)}, <strong>${e(t.direction)}</strong>: ${e(t.definition)}. Mean ± ${e(STD_NOTE)} over seeds; n is the number of finished runs; the best mean is in bold.</p>`,
    pending.length > 0 ? `<p class="muted">Not finished, so not counted: ${e(pending.map((r) => `${r.pending} ${r.label} run${r.pending === 1 ? '' : 's'}`).join(', '))}.</p>` : '',
    t.smokeNote ? `<p class="smoke-note"><strong>${e(t.smokeNote)}</strong></p>` : '',
    t.differences.length > 0 ? `<p>Runs pool into one row only when their configuration is identical; configurations differ: ${e(t.differences.join('. '))}.</p>` : '',
    table(['Method', 'n', `${e(t.metricLabel)}, mean ± std`, 'Min', 'Max', ...(withPublished ? ['Published'] : []), intervalHead], rows, 'results'),
    level ? `<p class="muted">Interval: ${Math.round(level.level * 100)}% percentile bootstrap interval of the mean, ${level.resamples.toLocaleString('en-US')} resamples (seeded: the same runs give the same interval).</p>` : '',
  ];
  if (t.welch.length > 0) {
    parts.push(
      "<h3>Welch's t-test (two-sided, unequal variances)</h3>",
      table(['Methods', 't', 'df', 'p', 'Mean difference', 'Seeds needed <span class="muted">(per method)</span>'], t.welch.map((w) => [e(w.label), w.text.t, w.text.df, w.text.p, e(w.text.meanDifference), w.seedsNeededText])),
    );
  }
  if (t.paired.length > 0) {
    parts.push(
      '<h3>Paired comparison on matched seeds (paired t-test; Wilcoxon signed-rank, exact)</h3>',
      table(
        ['Methods', 'Seeds', 'Mean difference', 'Std of differences', 't', 'df', 'p (paired t)', 'W', 'p (Wilcoxon)', 'Seeds needed'],
        t.paired.map((w) => [e(w.label), e(w.text.seeds), e(w.text.meanDifference), e(w.text.stdDifference), w.text.t, w.text.df, w.text.p, e(w.text.wilcoxonW), w.text.wilcoxonP, w.text.seedsNeeded]),
      ),
    );
  }
  if (t.paired.length > 0 || t.welch.some((w) => w.seedsNeeded !== null)) parts.push(`<p class="muted">${e(t.seedsNeededNote)}</p>`);
  if (t.published) {
    parts.push(
      `<h3>Published results (${e(t.published.task)})</h3>`,
      `<p>${e(t.published.metricLabel)}, ${e(t.published.direction)}: ${e(t.published.definition)}. Mean ± std of their seeds.</p>`,
      table(['Source', 'Mean ± std', 'n'], t.published.rows.map((r) => [e(r.label), e(r.text), String(r.n)])),
    );
  }
  const perSeed = t.perSeed.flatMap((m) => m.values.map((v) => [e(m.label), String(v.seed), String(v.runId), e(v.text), ...(t.anyUndecided ? [e(v.undecided || '–')] : []), e(v.backend)]));
  if (perSeed.length > 0) parts.push('<h3>Per seed</h3>', table(['Method', 'Seed', 'Run', e(t.metricLabel), ...(t.anyUndecided ? ['Undecided layers'] : []), 'Backend'], perSeed));
  parts.push('</section>');
  return parts.join('\n');
}

function chartsSection(data: ReportData, renderSvg: SvgRenderer): string {
  // Cost in estimated FLOPs when every method logged them (equal-compute comparisons), else wall seconds.
  const charts = compareCharts({ comparison: data.comparison, runs: data.runs }, { cost: defaultCostAxis(data.comparison) });
  if (charts.length === 0) return '<section id="charts"><h2>Charts</h2><p>No run has finished or logged an epoch yet.</p></section>';
  return [
    '<section id="charts"><h2>Charts</h2>',
    ...charts.map((c) => `<figure id="chart-${c.id}"><figcaption><strong>${e(c.title)}.</strong> ${e(c.caption)}</figcaption>${renderSvg(c.option, c.width, c.height)}</figure>`),
    '</section>',
  ].join('\n');
}

function architectureSection(data: ReportData): string {
  const grid = architectureGrid(data.comparison, data.runs);
  if (grid.methods.length === 0) return '';
  const parts = ['<section id="architectures"><h2>Chosen architectures</h2>', '<p>Per method, the (kernel k, dilation d) each seed chose for every searchable layer; the modal choice across seeds and how many seeds agree on it. Cells that differ from the modal choice are marked.</p>'];
  for (const m of grid.methods) {
    const head = ['Layer', ...m.runs.map((r) => `seed ${r.seed} <span class="muted">(run ${r.runId})</span>`), 'Modal', 'Agreement'];
    const rows = m.rows.map((row, i) => [
      `${row.layer} <span class="muted">${e(grid.layers[i]?.name ?? '')}</span>`,
      ...row.cells.map((c) => (c === null ? '–' : `<span class="${c.agrees ? '' : 'differs'}">${e(patternText(c))}</span>`)),
      e(patternText(row.modal)),
      row.modal ? `${row.modal.agreement.toFixed(0)}% <span class="muted">(${row.modal.count}/${row.modal.n})</span>` : '–',
    ]);
    parts.push(`<h3>${e(m.label)}${m.meanAgreement === null ? '' : ` <span class="muted">· mean agreement ${m.meanAgreement.toFixed(0)}%</span>`}</h3>`, table(head, rows, 'grid'));
  }
  parts.push('</section>');
  return parts.join('\n');
}

function runsSection(data: ReportData): string {
  const rows = data.runs.map((r) => [
    String(r.id),
    e(methodLabel(r.method)),
    String(r.seed),
    e(r.status),
    r.metric ? e(formatNumber(r.metric.value)) : '–',
    r.validation === null ? '–' : e(formatNumber(r.validation)),
    r.archId ? `<code>${e(r.archId)}</code>` : '–',
    r.parameters === null ? '–' : e(formatCount(r.parameters)),
    r.flops === null ? '–' : e(formatCount(r.flops)),
    e(formatSeconds(r.seconds.total ?? 0)),
    r.backend ? e(`${r.backend}${r.threads ? `, ${r.threads} threads` : ''}`) : '–',
  ]);
  return `<section id="runs"><h2>Runs</h2>${table(['Run', 'Method', 'Seed', 'Status', 'Test', 'Validation', 'Architecture', 'Parameters', 'FLOPs', 'Wall time', 'Backend'], rows)}</section>`;
}

function configurationSection(data: ReportData): string {
  const parts = ['<section id="configuration"><h2>Configuration</h2>'];
  for (const x of data.experiments) {
    // What the runs were created with, as stored; the request's own words only for an older lab's unreadable one.
    const settings = x.settings as { kernels?: number[]; dilations?: number[]; selection?: string };
    const engine = x.engine;
    const searched = engine === null ? (settings.kernels || settings.dilations ? { kernels: settings.kernels ?? [], dilations: settings.dilations ?? [] } : null) : engine.search.grid;
    const grid = searched ? `k ∈ {${searched.kernels.join(', ')}} × d ∈ {${searched.dilations.join(', ')}}` : 'the backbone default';
    parts.push(
      `<h3>Experiment ${x.id}: ${e(x.name)}</h3>`,
      facts([
        ['Dataset', e(x.dataset.name)],
        ['Methods', e(x.methods.map(methodLabel).join(', '))],
        ['Seeds', e(x.seeds.join(', '))],
        ['Preset', e(x.preset)],
        ['Selection', e(engine?.selection ?? settings.selection ?? 'argmax')],
        ['Search space', e(grid)],
        ...(engine
          ? ([
              ['Search', e(`${engine.search.epochs} epoch${engine.search.epochs === 1 ? '' : 's'}, batch ${engine.search.batchSize ?? 'task default'}, ${engine.search.batchFraction * 100}% of batches per epoch`)],
              ['HP search', e(`${engine.hpSearch.epochs} epoch${engine.hpSearch.epochs === 1 ? '' : 's'} per trial over lr {${engine.hpSearch.grid.lr.join(', ')}} × dropout {${engine.hpSearch.grid.dropout.join(', ')}} × weight decay {${engine.hpSearch.grid.weightDecay.join(', ')}} × momentum {${engine.hpSearch.grid.momentum.join(', ')}}`)],
              ['Retrain', e(`${engine.retrain.epochs} epoch${engine.retrain.epochs === 1 ? '' : 's'}, width factor ${engine.retrain.widthFactor}, batch ${engine.retrain.batchSize ?? 'task default'}; weights best on validation, tested once`)],
            ] as Array<[string, string]>)
          : []),
        ['Created', e(x.createdAt)],
      ]),
      `<details><summary>Settings and the stored engine configuration (JSON)</summary><pre>${e(JSON.stringify({ settings: x.settings, engine }, null, 2))}</pre></details>`,
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function datasetSection(data: ReportData): string {
  const parts = ['<section id="dataset"><h2>Dataset</h2>'];
  for (const d of data.datasets) {
    parts.push(
      `<h3>${e(d.name)}</h3>`,
      facts([
        ['Content hash', `<code class="hash">${e(d.contentHash)}</code>`],
        ['Task', e(`${d.kind}, ${d.rank}-D`)],
        ['Sample shape', e(`x [${d.xShape.join(', ')}], y [${d.yShape.join(', ')}]`)],
        ...(d.classes !== null ? ([['Classes', e(`${d.classes}${d.classNames ? ` (${d.classNames.join(', ')})` : ''}`)]] as Array<[string, string]>) : []),
        ['Splits', e(`train ${d.splits.train}, validation ${d.splits.val}${d.valCarved ? ` (carved from train with seed ${d.valCarved.seed}, fraction ${d.valCarved.fraction})` : ''}, test ${d.splits.test}`)],
        ['Metric', e(`${METRIC_INFO[d.metric.name].label}, ${d.metric.direction === 'minimize' ? 'lower is better' : 'higher is better'}: ${METRIC_INFO[d.metric.name].definition}`)],
        ...(d.publishedTask ? ([['Stands for', e(`NAS-Bench-360 ${d.publishedTask}`)]] as Array<[string, string]>) : []),
        ['Source', e(`${d.source.type}: ${d.source.detail}`)],
      ]),
    );
  }
  parts.push('</section>');
  return parts.join('\n');
}

function environmentSection(data: ReportData): string {
  const env = data.environment;
  return `<section id="environment"><h2>Environment</h2>${facts([
    ['P-DASH Lab', e(env.labVersion)],
    ['Node', e(env.node)],
    ['Platform', e(env.platform)],
    ['Compute', env.backends.length === 0 ? 'no run has started' : e(env.backends.map((b) => `${b.backend}${b.threads ? `, ${b.threads} threads` : ''} (runs ${b.runIds.join(', ')})`).join('; '))],
    ['Report written', e(data.generatedAt)],
  ])}</section>`;
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: Helvetica Neue, Helvetica, Arial, Liberation Sans, sans-serif; font-size: 13px; line-height: 1.45; color: #1c2430; max-width: 960px; margin: 24px auto; padding: 0 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d9dee5; }
h3 { font-size: 14px; margin: 18px 0 6px; }
p { margin: 6px 0; }
.muted { color: #586374; font-weight: normal; }
.smoke { color: #8a4b00; font-size: 0.85em; font-weight: 600; margin-left: 0.4em; }
.smoke-note { color: #8a4b00; }
table { border-collapse: collapse; margin: 8px 0 12px; }
th, td { text-align: left; padding: 4px 12px 4px 0; border-bottom: 1px solid #e3e7ed; vertical-align: top; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: #586374; border-bottom-color: #c9d0da; }
table.results td:nth-child(3) { font-variant-numeric: tabular-nums; }
table.grid td { font-family: ui-monospace, Menlo, Consolas, DejaVu Sans Mono, monospace; font-size: 12px; }
table.grid .differs { color: #b3261e; font-weight: 600; }
figure { margin: 16px 0 24px; break-inside: avoid; page-break-inside: avoid; }
figcaption { margin-bottom: 6px; }
figure svg { max-width: 100%; height: auto; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 6px 0 10px; }
dl.facts dt { color: #586374; }
dl.facts dd { margin: 0; }
code, pre { font-family: ui-monospace, Menlo, Consolas, DejaVu Sans Mono, monospace; font-size: 12px; }
code.hash { word-break: break-all; }
pre { background: #f5f6f8; border: 1px solid #e3e7ed; padding: 8px; overflow-x: auto; white-space: pre-wrap; }
header p { margin: 2px 0; }
@media print { body { margin: 0; max-width: none; } details { display: block; } details > summary { display: none; } h2 { break-after: avoid; } }
`;

/** The report of `data`, its charts drawn by `renderSvg` (see svg.ts). */
export function htmlReport(data: ReportData, renderSvg: SvgRenderer): string {
  const datasetNames = data.datasets.map((d) => d.name).join(', ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="P-DASH Lab ${e(data.environment.labVersion)}">
<title>${e(data.title)} · P-DASH Lab report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${e(data.title)}</h1>
<p class="muted">P-DASH Lab report · dataset ${e(datasetNames)} · runs ${e(data.comparison.runIds.join(', '))} · written ${e(data.generatedAt)}</p>
</header>
${resultsSection(data)}
${chartsSection(data, renderSvg)}
${architectureSection(data)}
${runsSection(data)}
${configurationSection(data)}
${datasetSection(data)}
${environmentSection(data)}
</body>
</html>
`;
}
