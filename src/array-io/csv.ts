/**
 * Numeric CSV tables: one sample per line, chosen columns as inputs (x) and targets (y). Read line by line, so
 * the file is never held whole; an import spools the numbers to .npy files (spoolCsv) so they are not either. Cells are decimal numbers (NaN and [+-]Inf are accepted as
 * numbers, for the validation step to report with their place); anything else is an error naming the line and
 * the column. Quoted cells ("1.5") are unquoted. Blank lines are skipped.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LabError } from '../shared/errors.ts';
import { NpyWriter } from './npy-writer.ts';
import { printable } from './printable.ts';

/** A column by 0-based index (negative counts from the end) or by header name. */
export type CsvColumn = number | string;

export interface CsvOptions {
  /** Whether line 1 names the columns; 'auto' (default): it does if any of its cells is not a number. */
  header?: boolean | 'auto';
  /** Cell separator, default ','. */
  delimiter?: string;
  /** Input columns; default every column that is not a target. */
  xColumns?: readonly CsvColumn[];
  /** Target columns; default the last column. */
  yColumns?: readonly CsvColumn[];
}

export interface CsvTable {
  path: string;
  /** Every column's name (from the header, or `column 1`, `column 2`, ... without one). */
  columns: string[];
  hasHeader: boolean;
  rows: number;
  xColumns: string[];
  yColumns: string[];
  /** rows x xColumns.length, row-major. */
  x: Float64Array;
  /** rows x yColumns.length, row-major. */
  y: Float64Array;
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const special = /^([+-]?)(nan|inf|infinity)$/i;

/** A cell as a number, or null if it is not one. */
export function parseCell(text: string): number | null {
  const t = text.trim();
  if (decimal.test(t)) return Number(t);
  const m = special.exec(t);
  if (m === null) return null;
  if (m[2]!.toLowerCase() === 'nan') return NaN;
  return m[1] === '-' ? -Infinity : Infinity;
}

export function splitCsvLine(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (line.startsWith(delimiter, i)) {
      cells.push(cell);
      cell = '';
      i += delimiter.length - 1;
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells;
}

/** One data row: its line, and its input and target cells as numbers. */
interface CsvRow {
  layout: Layout;
  lineNumber: number;
  x: number[];
  y: number[];
}

/** The table's data rows, one at a time: only the current line is held. */
async function* csvRows(path: string, options: CsvOptions): AsyncGenerator<CsvRow> {
  const delimiter = options.delimiter ?? ',';
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  let layout: Layout | null = null;
  for await (const rawLine of lines) {
    lineNumber++;
    const line = lineNumber === 1 ? rawLine.replace(/^\uFEFF/, '') : rawLine;
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line, delimiter);
    if (layout === null) {
      const isHeader = options.header === 'auto' || options.header === undefined ? cells.some((c) => parseCell(c) === null) : options.header;
      layout = planLayout(path, cells, isHeader, options);
      if (isHeader) continue;
    }
    if (cells.length !== layout.columns.length) {
      throw new LabError(
        'bad-request',
        `${path} line ${lineNumber}: ${cells.length} cells, but the table has ${layout.columns.length} columns`,
        `Give every line the same number of cells, separated by '${delimiter}'.`,
      );
    }
    const numbers = (indices: readonly number[]): number[] =>
      indices.map((index) => {
        const text = cells[index]!;
        const value = parseCell(text);
        if (value === null) {
          throw new LabError(
            'bad-request',
            `${path} line ${lineNumber}, column ${index + 1} ('${printable(layout!.columns[index]!, 40)}'): ${text.trim() === '' ? 'empty cell' : `'${printable(text.trim(), 40)}' is not a number`}`,
            'Every input and target cell must be a number; fix the cell, or leave the column out of the inputs and targets.',
          );
        }
        return value;
      });
    yield { layout, lineNumber, x: numbers(layout.x), y: numbers(layout.y) };
  }
}

function noRows(path: string): LabError {
  return new LabError('bad-request', `${path}: the table has no data rows`, 'Choose a CSV file with at least one line of numbers.');
}

function describe(path: string, layout: Layout, rows: number): Omit<CsvTable, 'x' | 'y'> {
  return {
    path,
    columns: layout.columns,
    hasHeader: layout.hasHeader,
    rows,
    xColumns: layout.x.map((i) => layout.columns[i]!),
    yColumns: layout.y.map((i) => layout.columns[i]!),
  };
}

/** The whole table in memory (small tables, tests). Imports spool it to disk instead: spoolCsv. */
export async function readCsv(path: string, options: CsvOptions = {}): Promise<CsvTable> {
  const x = new GrowableFloat64();
  const y = new GrowableFloat64();
  let layout: Layout | null = null;
  let rows = 0;
  for await (const row of csvRows(path, options)) {
    layout = row.layout;
    for (const v of row.x) x.push(v);
    for (const v of row.y) y.push(v);
    rows++;
  }
  if (layout === null || rows === 0) throw noRows(path);
  return { ...describe(path, layout, rows), x: x.toArray(), y: y.toArray() };
}

/** A CSV table written to two .npy files, so that an import reads it in batches like any array file. */
export interface CsvSpool extends Omit<CsvTable, 'x' | 'y'> {
  /** float64, (rows, inputs, 1): a row's inputs as a 1-D sequence with one channel. */
  xFile: string;
  /** float64, (rows,) for one target column, else (rows, targets). */
  yFile: string;
}

/** Rows buffered per write: a few hundred KiB, whatever the table's length. */
const SPOOL_ROWS = 4096;

/**
 * Reads the table twice, never holding more than a batch of rows: once to count its data rows (and check every
 * cell), then to write x and y as .npy files in `dir` (which must exist; the caller removes it). Memory is a
 * batch of rows, however long the file (an in-memory table took 8 bytes per cell and grew by doubling).
 */
export async function spoolCsv(path: string, options: CsvOptions, dir: string): Promise<CsvSpool> {
  let layout: Layout | null = null;
  let rows = 0;
  for await (const row of csvRows(path, options)) {
    layout = row.layout;
    rows++;
  }
  if (layout === null || rows === 0) throw noRows(path);
  const nx = layout.x.length;
  const ny = layout.y.length;
  const xFile = join(dir, 'x.npy');
  const yFile = join(dir, 'y.npy');
  const xWriter = await NpyWriter.create(xFile, 'float64', [rows, nx, 1]);
  const yWriter = await NpyWriter.create(yFile, 'float64', ny === 1 ? [rows] : [rows, ny]);
  try {
    const xs = new Float64Array(SPOOL_ROWS * nx);
    const ys = new Float64Array(SPOOL_ROWS * ny);
    let buffered = 0;
    let written = 0;
    const flush = async (): Promise<void> => {
      await xWriter.append(xs.subarray(0, buffered * nx));
      await yWriter.append(ys.subarray(0, buffered * ny));
      written += buffered;
      buffered = 0;
    };
    for await (const row of csvRows(path, options)) {
      if (written + buffered === rows) throw new LabError('conflict', `${path} changed while it was being read: it has more rows than a moment ago.`, 'Import it again once nothing writes to it.');
      xs.set(row.x, buffered * nx);
      ys.set(row.y, buffered * ny);
      buffered++;
      if (buffered === SPOOL_ROWS) await flush();
    }
    if (buffered > 0) await flush();
    if (written !== rows) throw new LabError('conflict', `${path} changed while it was being read: it has fewer rows than a moment ago.`, 'Import it again once nothing writes to it.');
    await xWriter.finish();
    await yWriter.finish();
  } catch (error) {
    await xWriter.abandon();
    await yWriter.abandon();
    throw error;
  }
  return { ...describe(path, layout, rows), xFile, yFile };
}

interface Layout {
  columns: string[];
  hasHeader: boolean;
  x: number[];
  y: number[];
}

function planLayout(path: string, firstCells: string[], hasHeader: boolean, options: CsvOptions): Layout {
  // Header names go into messages and the dataset's record: one line each, of sensible length.
  const columns = hasHeader ? firstCells.map((c) => printable(c.trim(), 80)) : firstCells.map((_, i) => `column ${i + 1}`);
  const resolve = (column: CsvColumn): number => {
    if (typeof column === 'number') {
      const index = column < 0 ? columns.length + column : column;
      if (!Number.isInteger(column) || index < 0 || index >= columns.length) {
        throw new LabError(
          'bad-request',
          `${path}: column ${column} does not exist (the table has ${columns.length} columns, indices 0..${columns.length - 1})`,
          'Choose columns by 0-based index or by header name.',
        );
      }
      return index;
    }
    const index = hasHeader ? columns.indexOf(column) : -1;
    if (index < 0) {
      throw new LabError(
        'bad-request',
        hasHeader
          ? `${path}: no column named '${column}' (the header has ${columns.map((c) => `'${c}'`).join(', ')})`
          : `${path}: column '${column}' is chosen by name, but the file has no header line`,
        hasHeader ? 'Choose one of the header names.' : 'Choose columns by 0-based index, or add a header line.',
      );
    }
    return index;
  };
  const y = (options.yColumns ?? [-1]).map(resolve);
  const x = options.xColumns === undefined ? columns.map((_, i) => i).filter((i) => !y.includes(i)) : options.xColumns.map(resolve);
  const both = x.filter((i) => y.includes(i));
  if (both.length > 0) {
    throw new LabError(
      'bad-request',
      `${path}: column '${columns[both[0]!]}' is chosen both as an input and as a target`,
      'A column is either an input (x) or a target (y).',
    );
  }
  if (x.length === 0 || y.length === 0) {
    throw new LabError(
      'bad-request',
      `${path}: ${x.length === 0 ? 'no input' : 'no target'} columns`,
      'Choose at least one input column and one target column.',
    );
  }
  return { columns, hasHeader, x, y };
}

class GrowableFloat64 {
  private data = new Float64Array(1024);
  private length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
