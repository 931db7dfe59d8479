import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { readCsv, spoolCsv, splitCsvLine } from '../../../src/array-io/csv.ts';
import { openNpy } from '../../../src/array-io/npy.ts';
import { readWholeArray } from '../../../src/array-io/array-source.ts';
import { useTempDir } from '../main/core/datasets/temp-dir.ts';

const temp = useTempDir('csv');

function writeCsv(name: string, text: string): string {
  const path = temp(name);
  writeFileSync(path, text);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LabError);
  expect((error as LabError).hint).toBeTruthy();
  return error as LabError;
}

describe('readCsv', () => {
  it('round-trips 500 rows x 4 columns written with a header; the last column is the target by default', async () => {
    const rows = Array.from({ length: 500 }, (_, r) => [r * 0.5, -r - 1, Math.sqrt(r), r % 7]);
    const text = ['a,b,c,label', ...rows.map((row) => row.join(','))].join('\n') + '\n';
    const table = await readCsv(writeCsv('table.csv', text));
    expect(table.hasHeader).toBe(true);
    expect(table.columns).toEqual(['a', 'b', 'c', 'label']);
    expect(table.rows).toBe(500);
    expect(table.xColumns).toEqual(['a', 'b', 'c']);
    expect(table.yColumns).toEqual(['label']);
    expect(Array.from(table.x)).toEqual(rows.flatMap((row) => row.slice(0, 3)));
    expect(Array.from(table.y)).toEqual(rows.map((row) => row[3]));
  });

  it('chooses x and y columns by name or index, and reads a file without a header', async () => {
    const withHeader = writeCsv('named.csv', 'u,v,w\n1,2,3\n4,5,6\n');
    const named = await readCsv(withHeader, { xColumns: ['w', 'u'], yColumns: ['v'] });
    expect(Array.from(named.x)).toEqual([3, 1, 6, 4]);
    expect(Array.from(named.y)).toEqual([2, 5]);
    const plain = writeCsv('plain.csv', '1;2;3\r\n4;5;6\r\n\r\n');
    const indexed = await readCsv(plain, { delimiter: ';', yColumns: [0, -1] });
    expect(indexed.hasHeader).toBe(false);
    expect(indexed.columns).toEqual(['column 1', 'column 2', 'column 3']);
    expect(Array.from(indexed.x)).toEqual([2, 5]);
    expect(Array.from(indexed.y)).toEqual([1, 3, 4, 6]);
  });

  it('accepts quoted cells, a byte-order mark, exponents, NaN and infinities', async () => {
    const path = writeCsv('odd.csv', '\uFEFF"x 1","y"\n"1.5e3",-2\nNaN,+inf\n-Infinity,.5\n');
    const table = await readCsv(path);
    expect(table.columns).toEqual(['x 1', 'y']);
    expect(Array.from(table.x)).toEqual([1500, NaN, -Infinity]);
    expect(Array.from(table.y)).toEqual([-2, Infinity, 0.5]);
    expect(splitCsvLine('"a,b","c""d",e', ',')).toEqual(['a,b', 'c"d', 'e']);
  });

  it('reports a non-numeric cell with its line number and column', async () => {
    const path = writeCsv('bad-cell.csv', 'a,b\n1,2\n3,4\n5,oops\n');
    const error = await rejection(readCsv(path));
    expect(error.message).toMatch(/bad-cell\.csv line 4, column 2 \('b'\): 'oops' is not a number/);
  });

  it('reports an empty cell, and a hex literal, as not numbers', async () => {
    expect((await rejection(readCsv(writeCsv('empty-cell.csv', '1,2\n3,\n')))).message).toMatch(/line 2, column 2 \('column 2'\): empty cell/);
    expect((await rejection(readCsv(writeCsv('hex.csv', '1,2\n0x10,3\n'), { header: false }))).message).toMatch(/line 2, column 1.*'0x10' is not a number/);
  });

  it('reports ragged lines, unknown columns, overlaps and empty tables', async () => {
    expect((await rejection(readCsv(writeCsv('ragged.csv', 'a,b\n1,2\n3\n')))).message).toMatch(/ragged\.csv line 3: 1 cells, but the table has 2 columns/);
    expect((await rejection(readCsv(writeCsv('h.csv', 'a,b\n1,2\n'), { yColumns: ['c'] }))).message).toMatch(/no column named 'c' \(the header has 'a', 'b'\)/);
    expect((await rejection(readCsv(writeCsv('nh.csv', '1,2\n'), { yColumns: ['a'] }))).message).toMatch(/chosen by name, but the file has no header line/);
    expect((await rejection(readCsv(writeCsv('i.csv', '1,2\n'), { yColumns: [5] }))).message).toMatch(/column 5 does not exist/);
    expect((await rejection(readCsv(writeCsv('both.csv', 'a,b\n1,2\n'), { xColumns: ['a', 'b'], yColumns: ['b'] }))).message).toMatch(/'b' is chosen both as an input and as a target/);
    expect((await rejection(readCsv(writeCsv('only-header.csv', 'a,b\n')))).message).toMatch(/no data rows/);
  });
});

describe('spoolCsv', () => {
  it('writes x (rows, inputs, 1) and y as float64 .npy files equal to what readCsv holds, across its write batches', async () => {
    const rows = Array.from({ length: 9000 }, (_, r) => [r * 0.25, -r, r % 5, (r * 7) % 3]);
    const path = writeCsv('spool.csv', ['a,b,c,label', ...rows.map((row) => row.join(','))].join('\n') + '\n');
    const dir = temp('spool');
    mkdirSync(dir);
    const spool = await spoolCsv(path, {}, dir);
    const table = await readCsv(path);
    expect(spool).toMatchObject({ rows: 9000, columns: ['a', 'b', 'c', 'label'], xColumns: ['a', 'b', 'c'], yColumns: ['label'], hasHeader: true });
    expect(readdirSync(dir).sort()).toEqual(['x.npy', 'y.npy']);
    const x = await openNpy(spool.xFile);
    const y = await openNpy(spool.yFile);
    expect([x.dtype, x.shape, y.dtype, y.shape]).toEqual(['float64', [9000, 3, 1], 'float64', [9000]]);
    expect(await readWholeArray(x)).toEqual(table.x);
    expect(await readWholeArray(y)).toEqual(table.y);
    await x.close();
    await y.close();
  });

  it('keeps several target columns as (rows, targets), and refuses what readCsv refuses, naming the line', async () => {
    const dir = temp('spool-2');
    mkdirSync(dir);
    const spool = await spoolCsv(writeCsv('two-targets.csv', '1,2,3\n4,5,6\n'), { yColumns: [1, 2] }, dir);
    const y = await openNpy(spool.yFile);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(await readWholeArray(y))).toEqual([2, 3, 5, 6]);
    await y.close();
    const bad = temp('spool-3');
    mkdirSync(bad);
    expect((await rejection(spoolCsv(writeCsv('bad.csv', '1,2\n3,x\n'), { header: false }, bad))).message).toMatch(/bad\.csv line 2, column 2.*'x' is not a number/);
    expect((await rejection(spoolCsv(writeCsv('none.csv', 'a,b\n'), {}, bad))).message).toMatch(/no data rows/);
  });
});

