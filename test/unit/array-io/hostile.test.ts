/**
 * The readers' limits on hostile files (issue #10), one by one: decompression only up to (and exactly) the declared
 * size, declared sizes checked against what the file can hold and a cap, HDF5 datasets checked before they are
 * read and read in bounded slabs, HDF5 and .npy header errors in one short line. The whole-CLI, memory-capped
 * suite is test/integration/hostile-files.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync, deflateSync } from 'node:zlib';
import * as h5wasm from 'h5wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { readWholeArray } from '../../../src/array-io/array-source.ts';
import { openMat } from '../../../src/array-io/mat.ts';
import { hdf5Reason } from '../../../src/array-io/mat73.ts';
import { openNpy } from '../../../src/array-io/npy.ts';
import { openNpz } from '../../../src/array-io/npz.ts';
import { checkDeclaredSize, fileRangeStream, inflateExactly, maxDeflateRatio } from '../../../src/array-io/streams.ts';
import { hdf5FillBomb, lyingZip, understatedMat5, understatedNpz } from '../../helpers/hostile-files.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { mat5Bytes, mat73UserBlock } from './reference-mat.ts';
import { concat, crc32, encodeElements, npyBytes, zipBytes } from './reference-npy.ts';

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir.remove());

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  return path;
}

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<LabError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(LabError);
    const labError = error as LabError;
    expect(labError.code).toBe('bad-request');
    expect(labError.message).not.toContain('\n');
    return labError;
  }
  throw new Error('expected a refusal');
}

async function drain(stream: AsyncIterable<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

describe('decompression never passes the declared size', () => {
  const data = new Uint8Array(100_000).fill(7);
  const raw = new Uint8Array(deflateRawSync(data));

  it('inflates exactly the declared size, and refuses more or fewer bytes, naming the file and the part', async () => {
    expect(inflateExactly('f.npz', "entry 'x.npy'", raw, 'deflate-raw', data.length)).toEqual(data);
    const more = await refusal(() => inflateExactly('f.npz', "entry 'x.npy'", raw, 'deflate-raw', 1000));
    expect(more.message).toBe("f.npz: entry 'x.npy' decompresses to more than the 1000 bytes its header declares");
    const fewer = await refusal(() => inflateExactly('f.mat', "variable 'a'", new Uint8Array(deflateSync(data)), 'zlib', data.length + 1));
    expect(fewer.message).toBe(`f.mat: variable 'a' decompresses to ${data.length} bytes, but its header declares ${data.length + 1}`);
  });

  it('streams hand out the declared bytes, then refuse the rest; a short stream is refused at its end', async () => {
    const path = write('raw.bin', raw);
    expect(await drain(fileRangeStream(path, 0, raw.length, 'deflate-raw', 'the part', data.length))).toBe(data.length);
    let seen = 0;
    const more = await refusal(async () => {
      for await (const chunk of fileRangeStream(path, 0, raw.length, 'deflate-raw', 'the part', 5000)) seen += chunk.length;
    });
    expect(seen).toBe(5000);
    expect(more.message).toContain('decompresses to more than the 5000 bytes');
    const fewer = await refusal(drain(fileRangeStream(path, 0, raw.length, 'deflate-raw', 'the part', data.length + 10)));
    expect(fewer.message).toContain(`decompresses to ${data.length} bytes, but its header declares ${data.length + 10}`);
  });

  it('refuses declared sizes deflate cannot produce, and sizes over the cap', async () => {
    expect(() => checkDeclaredSize('f', 'x', 1000 * maxDeflateRatio, 1000, Infinity)).not.toThrow();
    expect((await refusal(() => checkDeclaredSize('f', 'x', 1000 * maxDeflateRatio + 1, 1000, Infinity))).message).toContain('more than deflate can produce');
    expect((await refusal(() => checkDeclaredSize('f', 'x', 5000, 1000, 4096))).message).toContain('over the 4096-byte limit');
  });
});

describe('npz: the directory is checked before anything is decompressed', () => {
  const npy = npyBytes({ descr: '<f4', shape: [4], data: encodeElements([1, 2, 3, 4], 'f4', true) });

  it("refuses the issue's under-stated bomb after decompressing no more than the declared size", async () => {
    const archive = await openNpz(write('bomb.npz', understatedNpz(64 * 1024 * 1024)));
    const error = await refusal(archive.open('x'));
    expect(error.message).toMatch(/bomb\.npz: entry 'x\.npy' decompresses to more than the 384 bytes its header declares/);
  });

  it('refuses over-stated sizes, stored entries beyond the file or of two sizes, and sizes over the cap', async () => {
    const deflated = new Uint8Array(deflateRawSync(npy));
    const open = async (name: string, entry: Parameters<typeof lyingZip>[0][0], options = {}) => (await openNpz(write(name, lyingZip([entry])), options)).open('x');
    expect((await refusal(open('over.npz', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: 0xfffffff0 }))).message).toContain('more than deflate can produce');
    expect((await refusal(open('beyond.npz', { name: 'x.npy', stored: npy, method: 0, uncompressedSize: 1e9, compressedSize: 1e9 }))).message).toContain('but the file ends at byte');
    expect((await refusal(open('sizes.npz', { name: 'x.npy', stored: npy, method: 0, uncompressedSize: npy.length + 8 }))).message).toContain(`declares ${npy.length + 8} bytes but holds ${npy.length}`);
    const capped = await refusal(open('cap.npz', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: npy.length, crc: crc32(npy) }, { maxDeclaredBytes: 64 }));
    expect(capped.message).toContain('over the 64-byte limit');
    // Within the limits the same entry reads.
    const fine = await open('fine.npz', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: npy.length, crc: crc32(npy) });
    expect(Array.from(await readWholeArray(fine))).toEqual([1, 2, 3, 4]);
  });

  it('still streams a large deflated entry whose declared size is true', async () => {
    const zip = zipBytes([{ name: 'x.npy', data: npy, deflate: true }]);
    const archive = await openNpz(write('streamed.npz', zip), { inMemoryLimitBytes: 0 });
    expect(Array.from(await readWholeArray(await archive.open('x')))).toEqual([1, 2, 3, 4]);
  });
});

describe('.npy headers are bounded', () => {
  const data = encodeElements([1, 2], 'f4', true);

  it('refuses a header longer than numpy reads, before reading it', async () => {
    const bytes = npyBytes({ descr: '<f4', shape: [2], data, version: 2, header: `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': '${'a'.repeat(20_000)}'}` });
    const error = await refusal(openNpy(write('long.npy', bytes)));
    expect(error.message).toMatch(/the \.npy header says it is \d+ bytes long; numpy writes a few hundred and reads at most 10000$/);
  });

  it('refuses deep nesting, and quotes at most 200 characters of the header', async () => {
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': ${'['.repeat(4000)}${']'.repeat(4000)}}`;
    const error = await refusal(openNpy(write('nested.npy', npyBytes({ descr: '<f4', shape: [2], data, version: 2, header }))));
    expect(error.message).toContain('values nest deeper than 16 levels');
    expect(error.message).toMatch(/\.\.\. \(\d+ characters\)\)$/);
    expect(error.message.length).toBeLessThan(450);
  });

  it('refuses shapes whose byte count is no safe integer', async () => {
    const bytes = npyBytes({ descr: '<f8', shape: [2], data, header: `{'descr': '<f8', 'fortran_order': False, 'shape': (${2 ** 52}, 4), }` });
    expect((await refusal(openNpy(write('huge.npy', bytes)))).message).toContain('is larger than any file can hold');
  });
});

describe('MAT v5: compressed variables are trusted no further than their headers', () => {
  it("refuses the issue's under-stated bomb, which used to import", async () => {
    const mat = await openMat(write('bomb.mat', understatedMat5(64 * 1024 * 1024)));
    const error = await refusal(async () => readWholeArray(await mat.open('coeff')));
    expect(error.message).toMatch(/bomb\.mat: variable 'coeff' decompresses to more than the \d+ bytes its header declares/);
  });

  it('applies the cap, and still reads compressed variables within it', async () => {
    const bytes = mat5Bytes([{ name: 'a', matlabClass: 'double', dims: [2, 3], values: [1, 2, 3, 4, 5, 6], compress: true }]);
    const path = write('small.mat', bytes);
    expect((await refusal(openMat(path, { maxDeclaredBytes: 32 }))).message).toMatch(/compressed variable 'a' declares \d+ bytes, over the 32-byte limit/);
    const mat = await openMat(path);
    expect(Array.from(await readWholeArray(await mat.open('a')))).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('MAT v7.3: declared sizes are checked before reading, reads go in bounded slabs', () => {
  beforeAll(async () => {
    await h5wasm.ready;
  });

  it("refuses the issue's 11 KB file declaring 30000 x 421 x 421 doubles, at once", async () => {
    await hdf5FillBomb(join(dir.path, 'bomb.h5'), [30000, 421, 421]);
    const path = write('bomb73.mat', concat([mat73UserBlock(), readFileSync(join(dir.path, 'bomb.h5'))]));
    const mat = await openMat(path);
    try {
      expect(mat.variables.map((v) => v.shape)).toEqual([[30000, 421, 421], [30000, 421, 421]]);
      const error = await refusal(mat.open('coeff'));
      expect(error.message).toMatch(/bomb73\.mat: variable 'coeff' cannot be read: it declares 30000 x 421 x 421 elements of 8 bytes \(42537840000 bytes\), more than a \d+-byte file holds deflated/);
    } finally {
      await mat.close();
    }
  });

  it('refuses chunks never written without compression against the file size, and any dataset over the cap', async () => {
    const path = join(dir.path, 'plain-chunks.h5');
    const file = new h5wasm.File(path, 'w');
    const dataset = file.create_dataset({ name: 'x', data: new Float32Array(4), shape: [2, 2], maxshape: [null, null], chunks: [2, 2], dtype: '<f' });
    dataset.resize([100_000, 100]);
    file.create_dataset({ name: 'y', data: new Float32Array(64), shape: [8, 8], dtype: '<f' });
    file.close();
    const mat = await openMat(path);
    try {
      expect((await refusal(mat.open('x'))).message).toContain('more than a');
      expect((await refusal(mat.open('x'))).message).toContain('holds uncompressed');
      expect(await readWholeArray(await mat.open('y'))).toHaveLength(64);
    } finally {
      await mat.close();
    }
    const capped = await openMat(path, { maxDeclaredBytes: 100 });
    try {
      expect((await refusal(capped.open('y'))).message).toContain('(256 bytes), over the 100-byte limit for one array');
    } finally {
      await capped.close();
    }
  });

  it('reads the same values in slabs of a few bytes as in one read', async () => {
    const path = join(dir.path, 'slabs.h5');
    const file = new h5wasm.File(path, 'w');
    const values = Float64Array.from({ length: 5 * 4 * 3 }, (_, i) => i * 0.5);
    file.create_dataset({ name: 'v', data: values, shape: [3, 4, 5], dtype: '<d' }).create_attribute('MATLAB_class', 'double');
    file.close();
    const whole = await openMat(path);
    const sliced = await openMat(path, { slabBytes: 16 });
    try {
      for (const ranges of [[], [{ start: 1, stop: 5, step: 2 }, undefined, { start: 0, stop: 3, step: 2 }]]) {
        const a = await (await whole.open('v')).readSlab(ranges);
        const b = await (await sliced.open('v')).readSlab(ranges);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
    } finally {
      await whole.close();
      await sliced.close();
    }
  });

  it('reports damaged HDF5 in one line with HDF5\'s reason, never "name not defined"', async () => {
    const garbage = new Uint8Array(4096);
    garbage.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
    for (let i = 8; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    const error = await refusal(openMat(write('garbage.h5', garbage)));
    expect(error.message).toMatch(/^\S*garbage\.h5: cannot be read as HDF5 \(MAT v7\.3\): .+/);
    expect(error.message).not.toContain('name not defined');
    expect(hdf5Reason(new Error('HDF5-DIAG: Error detected\n  #000: a.c line 1 in H5Fopen(): unable to open file\n  #001: b.c line 2 in H5F__super_read(): truncated file: eof = 3\n'))).toBe('truncated file: eof = 3');
  });
});
