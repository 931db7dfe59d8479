import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as h5wasm from 'h5wasm/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { readWholeArray } from '../../../src/array-io/array-source.ts';
import { openMat } from '../../../src/array-io/mat.ts';
import { useTempDir } from '../main/core/datasets/temp-dir.ts';
import { mat5Bytes, mat73UserBlock, type MatTestVariable } from './reference-mat.ts';
import { concat } from './reference-npy.ts';

const temp = useTempDir('mat');
const fixtures = fileURLToPath(new URL('../../fixtures/datasets/mat/', import.meta.url));

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LabError);
  expect((error as LabError).hint).toBeTruthy();
  return error as LabError;
}

function write(name: string, bytes: Uint8Array): string {
  const path = temp(name);
  writeFileSync(path, bytes);
  return path;
}

// Darcy-like fields: 3 samples of 6x7, so subsampling every 3rd point is meaningful.
const dims3 = [3, 6, 7];
const coeffValues = Array.from({ length: 126 }, (_, i) => ((i * 37) % 5 === 0 ? 12 : 3));
const solValues = Array.from({ length: 126 }, (_, i) => Math.cos(i) / 7);
const intValues = Array.from({ length: 12 }, (_, i) => i * 1000 - 5000);

function variables(compress: boolean): MatTestVariable[] {
  return [
    { name: 'coeff', matlabClass: 'double', dims: dims3, values: coeffValues, storedAs: 'u1', compress },
    { name: 'sol', matlabClass: 'double', dims: dims3, values: solValues, compress },
    { name: 'sol32', matlabClass: 'single', dims: [2, 3], values: [0.5, 1.5, -2, 4, 8, -16], compress },
    { name: 'counts', matlabClass: 'int16', dims: [3, 4], values: intValues, compress },
    { name: 'k', matlabClass: 'double', dims: [1, 1], values: [7], storedAs: 'u1', compress },
    { name: 'mask', matlabClass: 'uint8', logical: true, dims: [2, 2], values: [1, 0, 0, 1], compress },
    { name: 'big64', matlabClass: 'int64', dims: [1, 2], values: [-3, 2 ** 40], compress },
    { name: 'title', matlabClass: 'char', dims: [1, 3], compress },
    { name: 'opts', matlabClass: 'struct', dims: [1, 1], compress },
    { name: 'z', matlabClass: 'double', dims: [1, 2], values: [1, 2], complex: true, compress },
    { name: 'sp', matlabClass: 'sparse', dims: [4, 4], compress },
  ];
}

function pick(values: number[], dims: number[], rows: number[], is: number[], js: number[]): number[] {
  const out: number[] = [];
  for (const r of rows) for (const i of is) for (const j of js) out.push(values[(r * dims[1]! + i) * dims[2]! + j]!);
  return out;
}

describe('openMat: MAT v5', () => {
  const layouts = [
    { label: 'little-endian', le: true, compress: false, limit: undefined },
    { label: 'big-endian', le: false, compress: false, limit: undefined },
    { label: 'compressed (v7), decompressed whole', le: true, compress: true, limit: undefined },
    { label: 'compressed (v7), streamed', le: true, compress: true, limit: 0 },
    { label: 'big-endian compressed, streamed', le: false, compress: true, limit: 0 },
  ];
  for (const { label, le, compress, limit } of layouts) {
    it(`${label}: lists variables; reads numeric ones column-major -> row-major`, async () => {
      const path = write(`${label.replace(/\W+/g, '-')}.mat`, mat5Bytes(variables(compress), le));
      const mat = await openMat(path, limit === undefined ? {} : { inMemoryLimitBytes: limit });
      expect(mat.version).toBe('5');
      expect(mat.variables.map((v) => [v.name, v.matlabClass, v.shape])).toEqual([
        ['coeff', 'double', [3, 6, 7]],
        ['sol', 'double', [3, 6, 7]],
        ['sol32', 'single', [2, 3]],
        ['counts', 'int16', [3, 4]],
        ['k', 'double', [1, 1]],
        ['mask', 'logical', [2, 2]],
        ['big64', 'int64', [1, 2]],
        ['title', 'char', [1, 3]],
        ['opts', 'struct', [1, 1]],
        ['z', 'double', [1, 2]],
        ['sp', 'sparse', [4, 4]],
      ]);
      const coeff = await mat.open('coeff');
      expect(coeff.dtype).toBe('float64');
      const coeffAll = await readWholeArray(coeff);
      expect(coeffAll).toBeInstanceOf(Float64Array);
      expect(Array.from(coeffAll)).toEqual(coeffValues);
      const sol = await mat.open('sol');
      expect(Array.from(await sol.readRows(1, 2))).toEqual(solValues.slice(42));
      // DarcyFlow-style subsampling: every 3rd point of each spatial axis.
      const sub = await sol.readSlab([undefined, { start: 0, stop: 6, step: 3 }, { start: 0, stop: 7, step: 3 }]);
      expect(Array.from(sub)).toEqual(pick(solValues, dims3, [0, 1, 2], [0, 3], [0, 3, 6]));
      expect(Array.from(await readWholeArray(await mat.open('sol32')))).toEqual([0.5, 1.5, -2, 4, 8, -16]);
      const counts = await readWholeArray(await mat.open('counts'));
      expect(counts).toBeInstanceOf(Int16Array);
      expect(Array.from(counts)).toEqual(intValues);
      expect(Array.from(await readWholeArray(await mat.open('k')))).toEqual([7]);
      const mask = await mat.open('mask');
      expect(mask.dtype).toBe('bool');
      expect(Array.from(await readWholeArray(mask))).toEqual([1, 0, 0, 1]);
      expect(Array.from(await readWholeArray(await mat.open('big64')))).toEqual([-3, 2 ** 40]);
      expect((await rejection(mat.open('title'))).message).toMatch(/variable 'title' cannot be read: it is a char, not a numeric array/);
      expect((await rejection(mat.open('opts'))).message).toMatch(/it is a struct/);
      expect((await rejection(mat.open('z'))).message).toMatch(/it is complex/);
      expect((await rejection(mat.open('sp'))).message).toMatch(/it is a sparse/);
      const missing = await rejection(mat.open('a'));
      expect(missing.code).toBe('not-found');
      expect(missing.message).toMatch(/no variable named 'a' \(the file holds 'coeff' \(double 3x6x7\), 'sol'/);
      await coeff.close();
      await mat.close();
    });
  }

  it('reads the files scipy.io.savemat wrote, uncompressed and compressed', async () => {
    const n = Array.from({ length: 60 }, (_, i) => i);
    for (const file of ['scipy_v5.mat', 'scipy_v5_compressed.mat']) {
      const mat = await openMat(`${fixtures}${file}`);
      const names = mat.variables.map((v) => v.name);
      expect(names).toEqual(expect.arrayContaining(['coeff', 'sol', 'counts', 'mask', 'title', 'meta']));
      const coeff = await mat.open('coeff');
      expect(coeff.shape).toEqual([3, 4, 5]);
      expect(Array.from(await readWholeArray(coeff))).toEqual(n.map((i) => (i % 3 === 0 ? 12 : 3)));
      expect(Array.from(await readWholeArray(await mat.open('sol')))).toEqual(n.map((i) => i * 0.125 - 1));
      expect(Array.from(await readWholeArray(await mat.open('counts')))).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55].map((v) => v - 6));
      const mask = await readWholeArray(await mat.open('mask'));
      expect(Array.from(mask)).toEqual([0, 1, 2].flatMap((a) => [0, 1, 2, 3, 4].map((c) => ((a * 20 + c) % 2 === 0 ? 1 : 0))));
      expect(mat.variables.find((v) => v.name === 'meta')?.readable).toMatch(/struct/);
    }
  });

  it('reports a truncated file and a file that is no MAT-file', async () => {
    const bytes = mat5Bytes(variables(false));
    expect((await rejection(openMat(write('cut.mat', bytes.subarray(0, bytes.length - 100))))).message).toMatch(/cut\.mat: truncated: a data element at byte \d+ needs \d+ bytes/);
    expect((await rejection(openMat(write('short.mat', bytes.subarray(0, 50))))).message).toMatch(/too short to be a MAT-file/);
    const v4 = new Uint8Array(200);
    expect((await rejection(openMat(write('v4.mat', v4)))).message).toMatch(/not a MAT v5, v7 or v7\.3 file .*MAT v4/);
    const odd = bytes.slice();
    new DataView(odd.buffer).setUint16(124, 0x0300, true);
    expect((await rejection(openMat(write('v3.mat', odd)))).message).toMatch(/version 0x300 is not supported/);
  });

  it('reports data whose length does not match the dimensions', async () => {
    const bytes = mat5Bytes([{ name: 'x', matlabClass: 'double', dims: [2, 2], values: [1, 2, 3, 4] }]);
    // Claim 3x2 in the dimensions element (the 7th int32 word after the header + tag + flags element).
    new DataView(bytes.buffer).setInt32(128 + 8 + 16 + 8, 3, true);
    expect((await rejection(openMat(write('bad-dims.mat', bytes)))).message).toMatch(/'x' has 32 bytes of float64 data, but its dimensions 3x2 need 48/);
  });
});

describe('openMat: MAT v7.3 (HDF5)', () => {
  let h5path: string;
  let plainPath: string;
  const values = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 0.5 - 3);

  beforeAll(async () => {
    await h5wasm.ready;
    // MATLAB writes a 2x3x4 array as a 4x3x2 dataset holding the column-major elements.
    const body = temp('body.h5');
    const file = new h5wasm.File(body, 'w');
    const coeff = file.create_dataset({ name: 'coeff', data: new Float64Array(fortran(values, [2, 3, 4])), shape: [4, 3, 2], dtype: '<d' });
    coeff.create_attribute('MATLAB_class', 'double');
    const counts = file.create_dataset({ name: 'counts', data: Int16Array.of(1, -2, 3, -4, 5, -6), shape: [3, 2], dtype: '<h' });
    counts.create_attribute('MATLAB_class', 'int16');
    const mask = file.create_dataset({ name: 'mask', data: Uint8Array.of(1, 0, 0, 1), shape: [2, 2], dtype: '<B' });
    mask.create_attribute('MATLAB_class', 'logical');
    const title = file.create_dataset({ name: 'title', data: Uint16Array.of(97, 98), shape: [2, 1], dtype: '<H' });
    title.create_attribute('MATLAB_class', 'char');
    file.create_group('opts').create_attribute('MATLAB_class', 'struct');
    file.close();
    h5path = write('v73.mat', concat([mat73UserBlock(), readFileSync(body)]));
    // A plain HDF5 file as h5py writes one: C order, no MATLAB attributes.
    plainPath = temp('plain.h5');
    const plain = new h5wasm.File(plainPath, 'w');
    plain.create_dataset({ name: 'x', data: new Float32Array(values), shape: [2, 3, 4], dtype: '<f' });
    plain.close();
  });

  function fortran(c: number[], shape: number[]): number[] {
    const out = new Array<number>(c.length);
    for (let i = 0; i < shape[0]!; i++)
      for (let j = 0; j < shape[1]!; j++)
        for (let k = 0; k < shape[2]!; k++) out[i + shape[0]! * (j + shape[1]! * k)] = c[(i * shape[1]! + j) * shape[2]! + k]!;
    return out;
  }

  it('reports MATLAB dimensions and reads C-order rows and strided slabs', async () => {
    const mat = await openMat(h5path);
    expect(mat.version).toBe('7.3');
    expect(mat.variables.map((v) => [v.name, v.matlabClass, v.shape])).toEqual([
      ['coeff', 'double', [2, 3, 4]],
      ['counts', 'int16', [2, 3]],
      ['mask', 'logical', [2, 2]],
      ['opts', 'struct', [1, 1]],
      ['title', 'char', [1, 2]],
    ]);
    const coeff = await mat.open('coeff');
    expect(coeff.order).toBe('F');
    expect(Array.from(await readWholeArray(coeff))).toEqual(values);
    expect(Array.from(await coeff.readRows(1, 1))).toEqual(values.slice(12));
    const slab = await coeff.readSlab([undefined, { start: 0, stop: 3, step: 2 }, { start: 1, stop: 4, step: 2 }]);
    expect(Array.from(slab)).toEqual([1, 3, 9, 11, 13, 15, 21, 23].map((i) => values[i]));
    // counts is 2x3 in MATLAB: the 3x2 dataset's C order is MATLAB's column-major order.
    expect(Array.from(await readWholeArray(await mat.open('counts')))).toEqual([1, 3, 5, -2, -4, -6]);
    expect(Array.from(await readWholeArray(await mat.open('mask')))).toEqual([1, 0, 0, 1]);
    expect((await rejection(mat.open('title'))).message).toMatch(/it is a char, not a numeric array/);
    expect((await rejection(mat.open('opts'))).message).toMatch(/struct/);
    await mat.close();
    expect((await rejection(coeff.readRows(0, 1))).message).toMatch(/has been closed/);
  });

  it('reads a plain HDF5 file in C order', async () => {
    const mat = await openMat(plainPath);
    const x = await mat.open('x');
    expect(x.shape).toEqual([2, 3, 4]);
    expect(x.order).toBe('C');
    expect(Array.from(await x.readRows(1, 1))).toEqual(values.slice(12));
    await mat.close();
  });

  it('reports a v7.3 header without HDF5 data after it', async () => {
    const path = write('hollow.mat', concat([mat73UserBlock(), new Uint8Array(64)]));
    expect((await rejection(openMat(path))).message).toMatch(/says MAT v7\.3 but no HDF5 data follows/);
  });
});
