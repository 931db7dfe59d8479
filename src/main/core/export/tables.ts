/**
 * The comparison's tables as text: Markdown (results, tests, published numbers, per seed, kernel patterns per layer
 * and row), LaTeX (one
 * booktabs table: mean ± sample std, best in bold, published beside) and CSV (one row per run, one per comparison
 * row's summary, one per published result; each run and summary line names its row, preset and smoke mark).
 * Deterministic: the same comparison gives the same bytes.
 */
import { METHOD_ORDER, patternText, resultsTable, rowLabel, SMOKE_MARK, STD_NOTE, type ResultsTable } from '../../../shared/charts/index.ts';
import type { Comparison } from '../../../shared/contract/index.ts';
import { labVersion } from '../version.ts';

export interface TableSource {
  title: string;
  comparison: Comparison;
  /** For a LaTeX label: `experiment-3` or `runs`. */
  key: string;
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Line breaks, other control characters and Unicode line separators: a user's text stays on its one line. */
const BREAKS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

const HTML_SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * Text (an experiment's name, a label) as Markdown that shows exactly as written: no HTML (a `<script>` is
 * shown, not run), no emphasis, link, code span or heading marker, no `|` ending a table cell, one line.
 */
export function markdownEscape(text: string): string {
  return text
    .replace(BREAKS, ' ')
    .replace(/[&<>]/g, (c) => HTML_SPECIALS[c]!)
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`);
}

/** A Markdown table; cells are Markdown already (escape text with markdownEscape, then add markup). */
function mdTable(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${align.map((a) => (a === 'l' ? ':--' : '--:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Escapes every cell: for tables whose cells are plain text. */
function mdTextTable(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string[] {
  return mdTable(head.map(markdownEscape), align, rows.map((r) => r.map(markdownEscape)));
}

function pendingNote(table: ResultsTable): string | null {
  const pending = table.rows.filter((r) => r.pending > 0);
  if (pending.length === 0) return null;
  return `Not finished, so not counted in n: ${pending.map((r) => `${r.pending} ${r.label} run${r.pending === 1 ? '' : 's'}`).join(', ')}.`;
}

export function markdownTables(source: TableSource): string {
  const t = resultsTable(source.comparison);
  const m = markdownEscape;
  const metricHead = capitalized(t.metricLabel);
  const lines: string[] = [`# ${m(source.title)}`, ''];
  lines.push(m(`Test ${t.metricLabel}, ${t.direction}: ${t.definition}.`));
  lines.push(m(`Mean ± ${STD_NOTE} over seeds; the best mean is in bold.`));
  const pending = pendingNote(t);
  if (pending) lines.push(m(pending));
  if (t.smokeNote) lines.push(`**${m(t.smokeNote)}**`);
  if (t.differences.length > 0) lines.push(m(`Runs pool into one row only when their configuration is identical; configurations differ: ${t.differences.join('. ')}.`));
  lines.push('');
  const withPublished = t.published !== null;
  lines.push(
    ...mdTable(
      ['Method', 'n', `${metricHead}, mean ± std`, 'Min', 'Max', ...(withPublished ? ['Published'] : [])].map(m),
      ['l', 'r', 'l', 'r', 'r', ...(withPublished ? (['l'] as const) : [])],
      t.rows.map((r) => [
        m(r.label),
        String(r.n),
        r.best ? `**${m(r.text.meanStd)}**` : m(r.text.meanStd),
        m(r.text.min),
        m(r.text.max),
        ...(withPublished ? [r.published ? m(`${r.published.text} (n = ${r.published.n})`) : '–'] : []),
      ]),
    ),
  );
  const intervals = t.rows.filter((r) => r.interval !== null);
  if (intervals.length > 0) {
    const first = intervals[0]!.interval!;
    lines.push('', '## Bootstrap interval of the mean', '', m(`${Math.round(first.level * 100)}% percentile bootstrap interval, ${first.resamples.toLocaleString('en-US')} resamples (seeded: the same runs give the same interval).`), '');
    lines.push(...mdTextTable(['Method', 'n', `${Math.round(first.level * 100)}% interval`], ['l', 'r', 'l'], intervals.map((r) => [r.label, String(r.n), r.interval!.text])));
  }
  if (t.welch.length > 0) {
    lines.push('', "## Welch's t-test", '');
    lines.push(...mdTextTable(['Methods', 't', 'df', 'p (two-sided)', 'Mean difference'], ['l', 'r', 'r', 'r', 'r'], t.welch.map((w) => [w.label, w.text.t, w.text.df, w.text.p, w.text.meanDifference])));
    const needed = t.welch.filter((w) => w.seedsNeeded !== null);
    if (needed.length > 0) lines.push('', m(`Seeds per method to resolve the difference (pooled std): ${needed.map((w) => `${w.label}: ${w.seedsNeededText}`).join('; ')}.`));
  }
  if (t.paired.length > 0) {
    lines.push('', '## Paired comparison (matched seeds)', '');
    lines.push(
      ...mdTextTable(
        ['Methods', 'Seeds', 'Mean difference', 'Std of differences', 't', 'df', 'p (paired t)', 'W (Wilcoxon)', 'p (Wilcoxon, exact)', 'Seeds needed'],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        t.paired.map((w) => [w.label, w.text.seeds, w.text.meanDifference, w.text.stdDifference, w.text.t, w.text.df, w.text.p, w.text.wilcoxonW, w.text.wilcoxonP, w.text.seedsNeeded]),
      ),
    );
  }
  if (t.paired.length > 0 || t.welch.some((w) => w.seedsNeeded !== null)) lines.push('', m(t.seedsNeededNote));
  if (t.published) {
    lines.push('', `## Published results (${m(t.published.task)})`, '', m(`${t.published.metricLabel}, ${t.published.direction}: ${t.published.definition}.`), '');
    lines.push(...mdTextTable(['Source', 'Mean ± std', 'n'], ['l', 'l', 'r'], t.published.rows.map((r) => [r.label, r.text, String(r.n)])));
  }
  // A run whose search left layers undecided chose them by initialisation: its per-seed row says how many.
  const seeds = t.perSeed.flatMap((s) => s.values.map((v) => [s.label, String(v.seed), String(v.runId), v.text, ...(t.anyUndecided ? [v.undecided || '–'] : []), v.backend]));
  if (seeds.length > 0) {
    lines.push('', '## Per seed', '');
    const head = ['Method', 'Seed', 'Run', metricHead, ...(t.anyUndecided ? ['Undecided layers'] : []), 'Backend'];
    lines.push(...mdTextTable(head, head.map((_, i) => (i === 0 || i === head.length - 1 ? 'l' : 'r')), seeds));
  }
  const layers = layerTable(source.comparison, t);
  if (layers !== null) {
    lines.push('', '## Kernel patterns per layer', '', m('Per comparison row, the modal kernel k and dilation d of each searchable layer across its seeds, with the seeds that chose it.'), '');
    lines.push(...mdTextTable(layers.head, layers.head.map(() => 'l'), layers.rows));
  }
  return `${lines.join('\n')}\n`;
}

/** Layers by comparison row: each row's modal (k, d) and how many of its seeds chose it ("k5 d3 (2/3)"); null without layers. */
function layerTable(comparison: Comparison, t: ResultsTable): { head: string[]; rows: string[][] } | null {
  const rows = [...new Set(comparison.layers.flatMap((l) => l.byRow.map((b) => b.row)))].sort((a, b) => a - b);
  if (rows.length === 0) return null;
  return {
    head: ['Layer', ...rows.map((r) => t.rows[r]?.label ?? `row ${r + 1}`)],
    rows: comparison.layers.map((l) => [
      String(l.layer),
      ...rows.map((r) => {
        const choice = l.byRow.find((b) => b.row === r);
        return choice === undefined ? '–' : `${patternText(choice)} (${choice.count}/${choice.n})`;
      }),
    ]),
  };
}

const LATEX_SPECIALS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '−': '-',
  '‖': '\\|',
  // Shown as ¡ ¿ — in the default OT1 text font; the text commands print them as written.
  '<': '\\textless{}',
  '>': '\\textgreater{}',
  '|': '\\textbar{}',
};

/**
 * Text as LaTeX that prints as written: every special character escaped, and line breaks (and other control
 * characters) made spaces, so a name can neither end a `%` comment line nor start a paragraph in a caption.
 */
export function latexEscape(text: string): string {
  return text.replace(BREAKS, ' ').replace(/[\\&%$#_{}~^−‖<>|]/g, (c) => LATEX_SPECIALS[c]!);
}

function latexMeanStd(mean: string, std: string | null, bold: boolean): string {
  const body = std === null ? mean : `${mean} \\pm ${std}`;
  return bold ? `$\\mathbf{${body}}$` : `$${body}$`;
}

export function latexTable(source: TableSource): string {
  const t = resultsTable(source.comparison);
  const withPublished = t.published !== null;
  const lines: string[] = [];
  lines.push(`% ${latexEscape(source.title)}: generated by P-DASH Lab ${labVersion}. Needs \\usepackage{booktabs}.`);
  // Comment lines too: a line break in a label would end the comment and put the rest into the document.
  const x = latexEscape;
  for (const w of t.welch) lines.push(`% Welch's t-test (two-sided), ${x(w.label)}: t = ${x(w.text.t)}, df = ${x(w.text.df)}, p = ${x(w.text.p)}.`);
  if (t.published) for (const r of t.published.rows) lines.push(`% Published (${x(t.published.task)}): ${x(r.label)}: ${x(r.text)} (n = ${r.n}).`);
  for (const w of t.paired) {
    lines.push(`% Paired on seeds ${x(w.text.seeds)}, ${x(w.label)}: t = ${x(w.text.t)}, df = ${x(w.text.df)}, p = ${x(w.text.p)}; Wilcoxon signed-rank (exact) W = ${x(w.text.wilcoxonW)}, p = ${x(w.text.wilcoxonP)}; seeds needed: ${x(w.text.seedsNeeded)}.`);
  }
  for (const r of t.rows) if (r.interval) lines.push(`% ${x(r.label)}: ${Math.round(r.interval.level * 100)}% bootstrap interval of the mean ${x(r.interval.text)} (${r.interval.resamples} resamples).`);
  for (const d of t.differences) lines.push(`% Configurations differ: ${x(d)}.`);
  const pending = pendingNote(t);
  if (pending) lines.push(`% ${x(pending)}`);
  lines.push('\\begin{table}[t]', '  \\centering');
  const publishedLabels = t.rows.flatMap((r) => (r.published ? [r.published.label] : []));
  const publishedNote = publishedLabels.length > 0 ? ` Published: ${latexEscape(publishedLabels.join('; '))}.` : '';
  lines.push(`  \\caption{${latexEscape(source.title)}. Test ${latexEscape(t.metricLabel)}, ${t.direction}: mean $\\pm$ sample standard deviation ($n-1$) over seeds; best mean in bold.${publishedNote}${smokeCaption(t)}}`);
  lines.push(`  \\label{tab:pdash-${source.key}}`);
  lines.push(`  \\begin{tabular}{lr${withPublished ? 'cc' : 'c'}}`, '    \\toprule');
  lines.push(`    Method & $n$ & ${latexEscape(capitalized(t.metricLabel))}${withPublished ? ' & Published' : ''} \\\\`, '    \\midrule');
  for (const r of t.rows) {
    const own = r.mean === null ? '--' : latexMeanStd(r.text.mean, r.text.std, r.best);
    const published = r.published ? latexMeanStd(...publishedParts(r.published.text), false) : '--';
    lines.push(`    ${latexEscape(r.label)} & ${r.n} & ${own}${withPublished ? ` & ${published}` : ''} \\\\`);
  }
  lines.push('    \\bottomrule', '  \\end{tabular}', '\\end{table}');
  return `${lines.join('\n')}\n`;
}

/** A caption sentence when a row ran the smoke preset: it is printed with the table, not only beside it. */
function smokeCaption(t: ResultsTable): string {
  const smoke = t.rows.filter((r) => r.smoke).map((r) => r.label);
  return smoke.length === 0 ? '' : ` ${capitalized(SMOKE_MARK)} (${latexEscape(smoke.join(', '))} ran the smoke preset).`;
}

function publishedParts(text: string): [string, string | null] {
  const [mean, std] = text.split(' ± ');
  return [mean!, std ?? null];
}

/**
 * One CSV cell. A text cell that a spreadsheet would take for a formula (starting with = + - @, or a tab or
 * carriage return before one) gets a leading ' so it stays text; numbers are written as numbers.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'number' ? String(value) : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The CSV's columns. The first fourteen are as they always were; the rest say which comparison row a line belongs
 * to: `row` (its 1-based index among the summary lines), `row_label` ("DASH (smoke)"), the row's `preset`,
 * `differs` (its value of every setting that differs among the method's rows, `setting=value; ...`), `smoke`
 * (true/false: the smoke preset, not a result) and, per run, `undecided_layers` ("k of L": the layers its search
 * left undecided, of those it searched; empty for the baselines and for logs that did not record it).
 */
export const CSV_HEADER = ['kind', 'method', 'seed', 'run_id', 'metric', 'direction', 'value', 'n', 'mean', 'std_sample', 'min', 'max', 'pending', 'source', 'row', 'row_label', 'preset', 'differs', 'smoke', 'undecided_layers'] as const;

type CsvValue = string | number | null;

export function csvTable(source: TableSource): string {
  const c = source.comparison;
  const metric = c.metric?.name ?? null;
  const direction = c.metric?.direction ?? null;
  const rows: CsvValue[][] = [];
  // The comparison's rows come in method order already (a method's configurations together); `row` is their index.
  const methods = c.methods.map((m, index) => ({ m, index })).sort((a, b) => METHOD_ORDER.indexOf(a.m.method) - METHOD_ORDER.indexOf(b.m.method) || a.index - b.index);
  const rowColumns = ({ m, index }: (typeof methods)[number]): CsvValue[] => [
    index + 1,
    rowLabel(m.method, m.configuration?.label ?? ''),
    m.configuration?.preset ?? null,
    (m.configuration?.differs ?? []).map((d) => `${d.setting}=${d.value}`).join('; '),
    String(m.configuration?.smoke ?? false),
  ];
  for (const entry of methods) {
    const { m } = entry;
    for (const v of [...m.values].sort((a, b) => a.seed - b.seed || a.runId - b.runId)) {
      const undecided = v.undecided === undefined ? null : `${v.undecided.layers} of ${v.undecided.of}`;
      rows.push(['run', m.method, v.seed, v.runId, metric, direction, v.value, null, null, null, null, null, null, 'lab', ...rowColumns(entry), undecided]);
    }
  }
  // Twelve significant digits: the statistics without float noise (6.6, not 6.599999999999999).
  const stat = (v: number | null): number | null => (v === null ? null : Number(v.toPrecision(12)));
  for (const entry of methods) {
    const { m } = entry;
    rows.push(['summary', m.method, null, null, metric, direction, null, m.n, stat(m.mean), stat(m.std), m.min, m.max, m.pending, 'lab', ...rowColumns(entry), null]);
  }
  if (c.published) {
    for (const p of c.published.results) rows.push(['published', p.method, null, null, c.published.metric.name, c.published.metric.direction, null, p.n, p.mean, p.std, null, null, null, p.label, null, null, null, null, null, null]);
  }
  return `${[CSV_HEADER.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n')}\n`;
}
