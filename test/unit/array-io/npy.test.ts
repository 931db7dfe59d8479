import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { forEachRowBatch, readWholeArray } from '../../../src/array-io/array-source.ts';
import { openNpy } from '../../../src/array-io/npy.ts';
import { useTempDir } from '../main/core/datasets/temp-dir.ts';
import { encodeElements, npyBytes, toFortranOrder, type TestDtype } from './reference-npy.ts';

const temp = useTempDir('npy');
const fixtures = fileURLToPath(new URL('../../fixtures/datasets/numpy/', import.meta.url));

function writeNpy(name: string, bytes: Uint8Array): string {
  const path = temp(name);
  writeFileSync(path, bytes);
  return path;
}

async function expectLabError(promise: Promise<unknown>, pattern: RegExp): Promise<LabError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LabError);
  expect((error as LabError).message).toMatch(pattern);
  expect((error as LabError).hint).toBeTruthy();
  return error as LabError;
}

const values12 = [0, 1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const cases: Array<{ dtype: TestDtype; values: number[] }> = [
  { dtype: 'f4', values: values12.map((v) => v * 0.5) },
  { dtype: 'f8', values: values12.map((v) => v / 3) },
  { dtype: 'f2', values: values12.map((v) => v * 0.25) },
  { dtype: 'i1', values: values12.map((v) => v - 6) },
  { dtype: 'i2', values: values12.map((v) => v * 1000) },
  { dtype: 'i4', values: values12.map((v) => v * 100000) },
  { dtype: 'i8', values: values12.map((v) => v * 2 ** 40) },
  { dtype: 'u1', values: values12.map((v) => Math.abs(v) * 20) },
  { dtype: 'u2', values: values12.map((v) => Math.abs(v) * 5000) },
  { dtype: 'u4', values: values12.map((v) => Math.abs(v) * 300000000) },
  { dtype: 'u8', values: values12.map((v) => Math.abs(v) * 2 ** 49) },
  { dtype: 'b1', values: values12.map((v) => (v % 3 === 0 ? 1 : 0)) },
];

describe('openNpy', () => {
  for (const { dtype, values } of cases) {
    for (const littleEndian of [true, false]) {
      for (const version of [1, 2, 3] as const) {
        const order = littleEndian ? '<' : '>';
        const descr = dtype === 'b1' || dtype === 'i1' || dtype === 'u1' ? `|${dtype}` : `${order}${dtype}`;
        it(`${descr} v${version}.0 shape=[3,4] C order reads back`, async () => {
          const path = writeNpy(`${dtype}-${order === '<' ? 'le' : 'be'}-v${version}.npy`, npyBytes({
            descr,
            version,
            shape: [3, 4],
            data: encodeElements(values, dtype, littleEndian),
          }));
          const source = await openNpy(path);
          expect(source.shape).toEqual([3, 4]);
          expect(source.order).toBe('C');
          expect(Array.from(await readWholeArray(source))).toEqual(values);
          expect(Array.from(await source.readRows(1, 2))).toEqual(values.slice(4));
          await source.close();
        });
      }
    }
  }

  it('Fortran order shape=[3,4,2]: rows, strided slabs and the whole array are C order', async () => {
    const shape = [3, 4, 2];
    const values = Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);
    const path = writeNpy('fortran.npy', npyBytes({
      descr: '>f8',
      fortran: true,
      shape,
      data: encodeElements(toFortranOrder(values, shape), 'f8', false),
    }));
    const source = await openNpy(path);
    expect(source.order).toBe('F');
    expect(source.rowAccess).toBe('full-pass');
    expect(Array.from(await readWholeArray(source))).toEqual(values);
    expect(Array.from(await source.readRows(1, 2))).toEqual(values.slice(8));
    // x[0:3:2, 1:4:2, 1] -> elements (0,1,1) (0,3,1) (2,1,1) (2,3,1)
    const slab = await source.readSlab([{ start: 0, stop: 3, step: 2 }, { start: 1, stop: 4, step: 2 }, { start: 1, stop: 2 }]);
    expect(Array.from(slab)).toEqual([3, 7, 19, 23].map((i) => values[i]));
    await source.close();
  });

  it('C order slab with a step on the last axis picks single elements', async () => {
    const values = Array.from({ length: 30 }, (_, i) => i);
    const path = writeNpy('c-slab.npy', npyBytes({ descr: '<i4', shape: [5, 6], data: encodeElements(values, 'i4', true) }));
    const source = await openNpy(path);
    const slab = await source.readSlab([{ start: 1, stop: 5, step: 3 }, { start: 0, stop: 6, step: 5 }]);
    expect(Array.from(slab)).toEqual([6, 11, 24, 29]);
    await source.close();
  });

  it('Fortran order shape=[40000,3]: batches far apart read separately and agree with the whole array', async () => {
    const shape = [40000, 3];
    const values = Array.from({ length: 120000 }, (_, i) => (i * 7919) % 1000);
    const path = writeNpy('tall-fortran.npy', npyBytes({
      descr: '<f4',
      fortran: true,
      shape,
      data: encodeElements(toFortranOrder(values, shape), 'f4', true),
    }));
    const source = await openNpy(path);
    const rows = Array.from(await source.readRows(30000, 7));
    expect(rows).toEqual(values.slice(90000, 90021));
    const seen: number[] = [];
    await forEachRowBatch(source, 15000, (batch, first, count) => {
      expect(batch.length).toBe(count * 3);
      expect(Array.from(batch)).toEqual(values.slice(first * 3, (first + count) * 3));
      seen.push(first);
    });
    expect(seen).toEqual([0, 15000, 30000]);
    await source.close();
  });

  it('float16 keeps infinities, NaN and subnormals', async () => {
    const values = [Infinity, -Infinity, NaN, 2 ** -24, 65504, -0.5];
    const path = writeNpy('f2-special.npy', npyBytes({ descr: '<f2', shape: [6], data: encodeElements(values, 'f2', true) }));
    const got = Array.from(await readWholeArray(await openNpy(path)));
    expect(got).toEqual(values);
  });

  it('0-d and empty arrays', async () => {
    const scalar = await openNpy(writeNpy('scalar.npy', npyBytes({ descr: '<f8', shape: [], data: encodeElements([2.5], 'f8', true) })));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(await readWholeArray(scalar))).toEqual([2.5]);
    const empty = await openNpy(writeNpy('empty.npy', npyBytes({ descr: '<f4', shape: [0, 3], data: new Uint8Array(0) })));
    expect(empty.shape).toEqual([0, 3]);
    expect((await readWholeArray(empty)).length).toBe(0);
  });

  it('refuses int64 values a double cannot hold exactly, naming the element', async () => {
    const data = new Uint8Array(16);
    new DataView(data.buffer).setBigInt64(8, 2n ** 60n, true);
    const source = await openNpy(writeNpy('huge-i8.npy', npyBytes({ descr: '<i8', shape: [2], data })));
    await expectLabError(readWholeArray(source), /huge-i8\.npy.*1152921504606846976 at element 1/);
  });

  it('refuses object arrays without unpickling them', async () => {
    const path = writeNpy('object.npy', npyBytes({ descr: '|O', shape: [2], data: new Uint8Array(16) }));
    await expectLabError(openNpy(path), /object\.npy.*dtype object.*never unpickles/);
    await expectLabError(openNpy(`${fixtures}object.npy`), /dtype object/);
  });

  it('refuses complex and string dtypes naming the dtype', async () => {
    await expectLabError(openNpy(writeNpy('c8.npy', npyBytes({ descr: '<c8', shape: [1], data: new Uint8Array(8) }))), /'<c8' \(complex\)/);
    await expectLabError(openNpy(writeNpy('u.npy', npyBytes({ descr: '<U3', shape: [1], data: new Uint8Array(12) }))), /'<U3' \(unicode string\)/);
  });

  it('reports a truncated data section with the expected and actual sizes', async () => {
    const full = npyBytes({ descr: '<f4', shape: [2, 3], data: encodeElements([1, 2, 3, 4, 5, 6], 'f4', true) });
    const path = writeNpy('truncated.npy', full.subarray(0, full.length - 5));
    await expectLabError(openNpy(path), /truncated\.npy: truncated: .*\(2, 3\) of float32 = 24 bytes.*only 19 bytes/);
  });

  it('reports a truncated header', async () => {
    const full = npyBytes({ descr: '<f4', shape: [2], data: new Uint8Array(8) });
    await expectLabError(openNpy(writeNpy('cut-header.npy', full.subarray(0, 40))), /truncated: the \.npy header needs 128 bytes but the file has 40/);
    await expectLabError(openNpy(writeNpy('tiny.npy', full.subarray(0, 5))), /truncated/);
  });

  it('reports a file that is not .npy', async () => {
    await expectLabError(openNpy(writeNpy('not.npy', new TextEncoder().encode('a,b,c\n1,2,3\n'))), /not a \.npy file/);
  });

  it('reports unreadable and incomplete headers', async () => {
    const bad = (name: string, header: string) => writeNpy(name, npyBytes({ descr: '<f4', shape: [1], data: new Uint8Array(4), header }));
    await expectLabError(openNpy(bad('garbage.npy', "{'descr': '<f4', 'fortran_order': Fal")), /header cannot be read/);
    await expectLabError(openNpy(bad('noshape.npy', "{'descr': '<f4', 'fortran_order': False}")), /'shape' is missing/);
    await expectLabError(openNpy(bad('neg.npy', "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}")), /'shape' is missing or not a tuple/);
    await expectLabError(openNpy(bad('record.npy', "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}")), /structured arrays/);
    const v9 = npyBytes({ descr: '<f4', shape: [1], data: new Uint8Array(4) });
    v9[6] = 9;
    await expectLabError(openNpy(writeNpy('v9.npy', v9)), /format version 9\.0 is not supported/);
  });

  it('refuses a selection outside the array', async () => {
    const source = await openNpy(writeNpy('small.npy', npyBytes({ descr: '<f4', shape: [2, 2], data: new Uint8Array(16) })));
    await expectLabError(source.readRows(1, 2), /range 1:3:1 is outside axis 0 of length 2/);
    await expectLabError(source.readSlab([undefined, undefined, { start: 0, stop: 1 }]), /selection of 3 axes/);
  });
});

describe('openNpy on files numpy 2.4 wrote', () => {
  it('reads C float32, big-endian Fortran float64, int64, bool and float16', async () => {
    const f4 = await openNpy(`${fixtures}f4_c.npy`);
    expect(f4.shape).toEqual([2, 3]);
    expect(Array.from(await readWholeArray(f4))).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
    const f8 = await openNpy(`${fixtures}f8_big_fortran.npy`);
    expect(f8.shape).toEqual([2, 3, 2]);
    expect(f8.order).toBe('F');
    expect(Array.from(await readWholeArray(f8))).toEqual(Array.from({ length: 12 }, (_, i) => i - 5.5));
    expect(Array.from(await readWholeArray(await openNpy(`${fixtures}i8_labels.npy`)))).toEqual([0, 17, 3, -2]);
    expect(Array.from(await readWholeArray(await openNpy(`${fixtures}bool.npy`)))).toEqual([1, 0, 0, 1]);
    const f2 = Array.from(await readWholeArray(await openNpy(`${fixtures}f2.npy`)));
    expect(f2.slice(0, 3)).toEqual([1.5, -0.25, 65504]);
    expect(f2[3]).toBe(2 ** -24); // 6e-8 rounds to the smallest subnormal half
  });
});
