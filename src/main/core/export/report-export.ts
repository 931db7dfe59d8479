/**
 * `pdash export` and the `export/report` channel: a comparison as an HTML or PDF report, or its tables as
 * Markdown, LaTeX or CSV.
 */
import type { LabServices } from '../lab-services.ts';
import type { ExportedFile } from './exported-file.ts';
import { htmlReport } from './html-report.ts';
import { htmlToPdf } from './pdf.ts';
import { collectReportData, type ReportSelection } from './report-data.ts';
import { svgRenderer } from './svg.ts';
import { csvTable, latexTable, markdownTables, type TableSource } from './tables.ts';

export const REPORT_FORMATS = ['html', 'pdf', 'md', 'latex', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const MEDIA: Record<ReportFormat, { extension: string; mediaType: string }> = {
  html: { extension: 'html', mediaType: 'text/html' },
  pdf: { extension: 'pdf', mediaType: 'application/pdf' },
  md: { extension: 'md', mediaType: 'text/markdown' },
  latex: { extension: 'tex', mediaType: 'application/x-tex' },
  csv: { extension: 'csv', mediaType: 'text/csv' },
};

export function reportFileName(selection: ReportSelection, format: ReportFormat): string {
  const stem = 'experiment' in selection ? `experiment-${selection.experiment}` : `runs-${selection.runs.join('-')}`.slice(0, 80);
  return `pdash-${stem}.${MEDIA[format].extension}`;
}

export interface ReportOptions {
  /** For finding Chromium (PDASH_CHROMIUM) when printing a PDF. */
  env?: NodeJS.ProcessEnv;
  now?: Date;
}

export async function exportReport(core: LabServices, selection: ReportSelection, format: ReportFormat, options: ReportOptions = {}): Promise<ExportedFile> {
  const data = collectReportData(core, selection, options.now);
  const source: TableSource = { title: data.title, comparison: data.comparison, key: 'experiment' in selection ? `experiment-${selection.experiment}` : 'runs' };
  const text = (value: string): Uint8Array => new TextEncoder().encode(value);
  let bytes: Uint8Array;
  switch (format) {
    case 'html':
      bytes = text(htmlReport(data, await svgRenderer()));
      break;
    case 'pdf':
      bytes = await (core.printPdf ?? ((html: string) => htmlToPdf(html, options.env ?? process.env)))(htmlReport(data, await svgRenderer()));
      break;
    case 'md':
      bytes = text(markdownTables(source));
      break;
    case 'latex':
      bytes = text(latexTable(source));
      break;
    case 'csv':
      bytes = text(csvTable(source));
      break;
  }
  return { name: reportFileName(selection, format), mediaType: MEDIA[format].mediaType, data: bytes };
}
