import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { readWholeArray } from '../../../src/array-io/array-source.ts';
import { openNpz } from '../../../src/array-io/npz.ts';
import { useTempDir } from '../main/core/datasets/temp-dir.ts';
import { encodeElements, npyBytes, toFortranOrder, zipBytes } from './reference-npy.ts';

const temp = useTempDir('npz');
const fixtures = fileURLToPath(new URL('../../fixtures/datasets/numpy/', import.meta.url));

const xValues = Array.from({ length: 60 }, (_, i) => Math.sin(i) * 10);
const yValues = [3, 1, 4, 1, 5];
const xNpy = npyBytes({ descr: '<f8', shape: [5, 3, 4], data: encodeElements(xValues, 'f8', true) });
const yNpy = npyBytes({ descr: '<i8', shape: [5], data: encodeElements(yValues, 'i8', true) });
const xFortranNpy = npyBytes({
  descr: '<f8',
  fortran: true,
  shape: [5, 3, 4],
  data: encodeElements(toFortranOrder(xValues, [5, 3, 4]), 'f8', true),
});

function writeZip(name: string, bytes: Uint8Array): string {
  const path = temp(name);
  writeFileSync(path, bytes);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LabError);
  return error as LabError;
}

describe('openNpz', () => {
  const layouts = [
    { label: 'stored', deflate: false, zip64: false, limit: undefined },
    { label: 'deflated, decompressed whole', deflate: true, zip64: false, limit: undefined },
    { label: 'deflated, streamed', deflate: true, zip64: false, limit: 0 },
    { label: 'stored, zip64', deflate: false, zip64: true, limit: undefined },
    { label: 'deflated, zip64, streamed', deflate: true, zip64: true, limit: 0 },
  ];
  for (const { label, deflate, zip64, limit } of layouts) {
    it(`${label}: names and arrays x=[5,3,4] y=[5] read back`, async () => {
      const path = writeZip(`${label.replace(/\W+/g, '-')}.npz`, zipBytes(
        [
          { name: 'x.npy', data: xNpy, deflate },
          { name: 'y.npy', data: yNpy, deflate },
          { name: 'xf.npy', data: xFortranNpy, deflate },
        ],
        { zip64 },
      ));
      const archive = await openNpz(path, limit === undefined ? {} : { inMemoryLimitBytes: limit });
      expect(archive.names).toEqual(['x', 'y', 'xf']);
      const x = await archive.open('x');
      expect(x.shape).toEqual([5, 3, 4]);
      expect(x.path).toBe(`${path}#x.npy`);
      expect(x.rowAccess).toBe(limit === 0 ? 'full-pass' : 'direct');
      expect(Array.from(await readWholeArray(x))).toEqual(xValues);
      expect(Array.from(await x.readRows(2, 2))).toEqual(xValues.slice(24, 48));
      const slab = await x.readSlab([{ start: 4, stop: 5 }, { start: 0, stop: 3, step: 2 }, { start: 3, stop: 4 }]);
      expect(Array.from(slab)).toEqual([xValues[51], xValues[59]]);
      expect(Array.from(await readWholeArray(await archive.open('y.npy')))).toEqual(yValues);
      const xf = await archive.open('xf');
      expect(Array.from(await xf.readRows(1, 3))).toEqual(xValues.slice(12, 48));
      await x.close();
    });
  }

  it('reads what numpy.savez and numpy.savez_compressed wrote', async () => {
    for (const file of ['savez.npz', 'savez_compressed.npz']) {
      for (const limit of [undefined, 0]) {
        const archive = await openNpz(`${fixtures}${file}`, limit === undefined ? {} : { inMemoryLimitBytes: limit });
        expect(archive.names).toEqual(['x', 'y']);
        expect(Array.from(await readWholeArray(await archive.open('x')))).toEqual(Array.from({ length: 24 }, (_, i) => i));
        expect(Array.from(await readWholeArray(await archive.open('y')))).toEqual([1, 0, 3, 2]);
      }
    }
  });

  it('names the arrays an archive holds when asked for another', async () => {
    const archive = await openNpz(`${fixtures}savez.npz`);
    const error = await rejection(archive.open('label'));
    expect(error.code).toBe('not-found');
    expect(error.message).toMatch(/no array named 'label' \(the archive holds 'x', 'y'\)/);
  });

  it('refuses a file that is not a zip archive', async () => {
    const error = await rejection(openNpz(writeZip('plain.npz', xNpy)));
    expect(error.message).toMatch(/plain\.npz: not a zip archive/);
  });

  it('detects a corrupted deflated entry by its CRC', async () => {
    // The directory's CRC no longer matches the entry's bytes.
    const deflated = zipBytes([{ name: 'x.npy', data: xNpy, deflate: true }]);
    const dv = new DataView(deflated.buffer);
    const cd = deflated.length - 22 - (46 + 5);
    expect(dv.getUint32(cd, true)).toBe(0x02014b50);
    dv.setUint32(cd + 16, dv.getUint32(cd + 16, true) ^ 1, true);
    const archive = await openNpz(writeZip('bad-crc.npz', deflated));
    const error = await rejection(archive.open('x'));
    expect(error.message).toMatch(/bad-crc\.npz: damaged zip archive: entry 'x\.npy' fails its CRC-32 check/);
  });

  it('reports a truncated archive', async () => {
    const bytes = zipBytes([{ name: 'x.npy', data: xNpy, deflate: true }]);
    const error = await rejection(openNpz(writeZip('cut.npz', bytes.subarray(0, bytes.length - 30))));
    expect(error.message).toMatch(/cut\.npz: not a zip archive/);
  });
});
