/**
 * Hostile array files for the hardening tests (issue #10): decompression bombs and archives whose headers lie,
 * built in the test from a few kilobytes rather than committed. A deflate stream of N zero bytes is made by
 * repeating one sync-flushed block of 1 MiB of zeros (every block refers only to zeros before it, so the copies
 * chain into one valid stream), so a gigabyte bomb costs a few milliseconds and ~1 MB to build.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { concat, crc32, npyBytes } from '../unit/array-io/reference-npy.ts';

const mib = 1024 * 1024;
let zeroBlock: Uint8Array | null = null;

/** Raw deflate of `prefix` followed by `zeros` zero bytes (zeros a multiple of 1 MiB), as chunks to concatenate. */
export function deflateRawWithZeros(prefix: Uint8Array, zeros: number): Uint8Array[] {
  if (zeros % mib !== 0) throw new Error('zeros must be a multiple of 1 MiB');
  zeroBlock ??= new Uint8Array(deflateRawSync(new Uint8Array(mib), { finishFlush: constants.Z_SYNC_FLUSH }));
  const head = new Uint8Array(deflateRawSync(prefix, { finishFlush: constants.Z_SYNC_FLUSH }));
  const parts: Uint8Array[] = [head];
  for (let i = 0; i < zeros / mib; i++) parts.push(zeroBlock);
  parts.push(Uint8Array.of(0x03, 0x00)); // a final, empty block with fixed codes
  return parts;
}

/** zlib (RFC 1950) of `prefix` + `zeros` zero bytes, with a correct Adler-32. */
export function zlibWithZeros(prefix: Uint8Array, zeros: number): Uint8Array {
  let a = 1;
  let b = 0;
  for (const byte of prefix) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  b = (b + (zeros % 65521) * a) % 65521;
  const trailer = new Uint8Array(4);
  new DataView(trailer.buffer).setUint32(0, ((b << 16) | a) >>> 0, false);
  return concat([Uint8Array.of(0x78, 0x9c), ...deflateRawWithZeros(prefix, zeros), trailer]);
}

export interface ZipEntryInput {
  name: string;
  /** The bytes stored in the archive (already deflated for method 8). */
  stored: Uint8Array;
  method: 0 | 8;
  /** What the central directory (and local header) claim. */
  uncompressedSize: number;
  compressedSize?: number;
  crc?: number;
}

/** A zip archive whose directory says whatever the entries claim (sizes, CRC), true or not. */
export function lyingZip(entries: readonly ZipEntryInput[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const compressedSize = e.compressedSize ?? e.stored.length;
    const crc = e.crc ?? 0;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, compressedSize, true);
    lv.setUint32(22, e.uncompressedSize, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint16(4, 20, true);
    dv.setUint16(6, 20, true);
    dv.setUint16(10, e.method, true);
    dv.setUint32(16, crc, true);
    dv.setUint32(20, compressedSize, true);
    dv.setUint32(24, e.uncompressedSize, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, e.stored);
    central.push(dir);
    offset += local.length + e.stored.length;
  }
  const directory = concat(central);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directory.length, true);
  ev.setUint32(16, offset, true);
  return concat([...parts, directory, end]);
}

/**
 * The .npz bomb of issue #10: one deflated `x.npy` (a float32 (16, 4) array) whose stream goes on with
 * `zeros` more bytes while the directory states the true, small size, so only decompressing it all finds out.
 */
export function understatedNpz(zeros: number): Uint8Array {
  const npy = npyBytes({ descr: '<f4', shape: [16, 4], data: new Uint8Array(16 * 4 * 4) });
  const stored = concat(deflateRawWithZeros(npy, zeros));
  return lyingZip([{ name: 'x.npy', stored, method: 8, uncompressedSize: npy.length, crc: crc32(npy) }]);
}

function matTag(type: number, length: number): Uint8Array {
  const t = new Uint8Array(8);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, type, true);
  dv.setUint32(4, length, true);
  return t;
}

function padded(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + Math.ceil(data.length / 8) * 8);
  out.set(matTag(type, data.length));
  out.set(data, 8);
  return out;
}

/** A MAT v5 header (128 bytes, little-endian, version 0x0100). */
export function mat5Header(): Uint8Array {
  const header = new Uint8Array(128);
  header.fill(0x20, 0, 116);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024'));
  new DataView(header.buffer).setUint16(124, 0x0100, true);
  header.set([0x49, 0x4d], 126);
  return header;
}

/** A miMATRIX element of class double stored as miUINT8 (as MATLAB narrows small integers) with `dims`. */
export function mat5Matrix(name: string, dims: readonly number[], data?: Uint8Array): Uint8Array {
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, 6, true); // mxDOUBLE_CLASS
  const dimBytes = new Uint8Array(dims.length * 4);
  dims.forEach((d, i) => new DataView(dimBytes.buffer).setInt32(i * 4, d, true));
  const count = dims.reduce((p, d) => p * d, 1);
  const contents = concat([
    padded(6, flags),
    padded(5, dimBytes),
    padded(1, new TextEncoder().encode(name)),
    padded(2, data ?? new Uint8Array(count)),
  ]);
  return concat([matTag(14, contents.length), contents]);
}

/**
 * The MAT v5 bomb of issue #10: DarcyFlow's `coeff` and `sol` (samples x 6 x 6, all 1), each a compressed
 * element whose miMATRIX states its true size while its zlib stream goes on with `zeros` more bytes.
 */
export function understatedMat5(zeros: number, samples = 220): Uint8Array {
  const parts: Uint8Array[] = [mat5Header()];
  for (const name of ['coeff', 'sol']) {
    const matrix = mat5Matrix(name, [samples, 6, 6], new Uint8Array(samples * 36).fill(1));
    const z = zlibWithZeros(matrix, zeros);
    parts.push(matTag(15, z.length), z);
  }
  return concat(parts);
}

/**
 * The MAT v7.3 bomb of issue #10 (HDF5 body only; put mat73UserBlock() before it): `coeff` and `sol` declared
 * `dims` (MATLAB order), chunked and gzip-compressed, with no chunk ever written, so the file stays tiny and
 * every read is fill value.
 */
export async function hdf5FillBomb(path: string, dims: readonly number[]): Promise<void> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const file = new h5.File(path, 'w');
  try {
    const stored = [...dims].reverse();
    for (const name of ['coeff', 'sol']) {
      const chunks = stored.map((d, i) => (i === 0 ? 1 : Math.min(d, 64)));
      const dataset = file.create_dataset({
        name,
        data: new Float64Array(1),
        shape: stored.map(() => 1),
        maxshape: stored.map(() => null),
        dtype: '<d',
        chunks,
        compression: 'gzip',
      });
      dataset.resize(stored);
      dataset.create_attribute('MATLAB_class', 'double');
    }
  } finally {
    file.close();
  }
}
