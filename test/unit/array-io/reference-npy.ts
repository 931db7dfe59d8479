/**
 * A reference .npy writer and element encoder for the tests, written from numpy's format description
 * independently of the reader.
 */
import { deflateRawSync } from 'node:zlib';

export type TestDtype = 'b1' | 'i1' | 'i2' | 'i4' | 'i8' | 'u1' | 'u2' | 'u4' | 'u8' | 'f2' | 'f4' | 'f8';

const sizes: Record<TestDtype, number> = { b1: 1, i1: 1, i2: 2, i4: 4, i8: 8, u1: 1, u2: 2, u4: 4, u8: 8, f2: 2, f4: 4, f8: 8 };

interface Float16DataView {
  setFloat16(offset: number, value: number, littleEndian?: boolean): void;
}

/** Encodes numbers as elements of `dtype` in the given byte order. */
export function encodeElements(values: readonly number[], dtype: TestDtype, littleEndian: boolean): Uint8Array {
  const size = sizes[dtype];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    switch (dtype) {
      case 'b1': dv.setUint8(o, v ? 1 : 0); break;
      case 'i1': dv.setInt8(o, v); break;
      case 'u1': dv.setUint8(o, v); break;
      case 'i2': dv.setInt16(o, v, littleEndian); break;
      case 'u2': dv.setUint16(o, v, littleEndian); break;
      case 'i4': dv.setInt32(o, v, littleEndian); break;
      case 'u4': dv.setUint32(o, v, littleEndian); break;
      case 'i8': dv.setBigInt64(o, BigInt(v), littleEndian); break;
      case 'u8': dv.setBigUint64(o, BigInt(v), littleEndian); break;
      case 'f2': (dv as unknown as Float16DataView).setFloat16(o, v, littleEndian); break;
      case 'f4': dv.setFloat32(o, v, littleEndian); break;
      case 'f8': dv.setFloat64(o, v, littleEndian); break;
    }
  });
  return out;
}

/** Values of a C-order array of `shape` reordered into Fortran order. */
export function toFortranOrder(values: readonly number[], shape: readonly number[]): number[] {
  const out = new Array<number>(values.length);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  for (let c = 0; c < values.length; c++) {
    let f = 0;
    for (let a = rank - 1; a >= 0; a--) f = f * shape[a]! + index[a]!;
    out[f] = values[c]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++index[a]! < shape[a]!) break;
      index[a] = 0;
    }
  }
  return out;
}

export interface NpyOptions {
  descr: string;
  shape: readonly number[];
  data: Uint8Array;
  fortran?: boolean;
  version?: 1 | 2 | 3;
  /** Replaces the header dict text (to write broken headers). */
  header?: string;
}

export function npyBytes(options: NpyOptions): Uint8Array {
  const version = options.version ?? 1;
  const shapeText = options.shape.length === 1 ? `(${options.shape[0]},)` : `(${options.shape.join(', ')})`;
  const dict =
    options.header ?? `{'descr': '${options.descr}', 'fortran_order': ${options.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const preamble = version === 1 ? 10 : 12;
  const textBytes = new TextEncoder().encode(dict);
  const padded = Math.ceil((preamble + textBytes.length + 1) / 64) * 64;
  const headerLength = padded - preamble;
  const out = new Uint8Array(padded + options.data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, headerLength, true);
  else dv.setUint32(8, headerLength, true);
  out.set(textBytes, preamble);
  out.fill(0x20, preamble + textBytes.length, padded - 1);
  out[padded - 1] = 0x0a;
  out.set(options.data, padded);
  return out;
}

export interface ZipInput {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}

/** A zip archive (what numpy.savez writes), optionally with zip64 extras and zip64 end records. */
export function zipBytes(entries: readonly ZipInput[], options: { zip64?: boolean } = {}): Uint8Array {
  const zip64 = options.zip64 ?? false;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = new TextEncoder().encode(entry.name);
    const body = entry.deflate ? new Uint8Array(deflateRawSync(entry.data)) : entry.data;
    const crc = crc32(entry.data);
    const extra = zip64 ? zip64Extra([entry.data.length, body.length, offset]) : new Uint8Array(0);
    const local = new Uint8Array(30 + name.length + (zip64 ? 20 : 0));
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, zip64 ? 45 : 20, true);
    lv.setUint16(8, entry.deflate ? 8 : 0, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, zip64 ? 0xffffffff : body.length, true);
    lv.setUint32(22, zip64 ? 0xffffffff : entry.data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, zip64 ? 20 : 0, true);
    local.set(name, 30);
    if (zip64) local.set(zip64Extra([entry.data.length, body.length]), 30 + name.length);
    const cd = new Uint8Array(46 + name.length + extra.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 45, true);
    cv.setUint16(6, zip64 ? 45 : 20, true);
    cv.setUint16(10, entry.deflate ? 8 : 0, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, zip64 ? 0xffffffff : body.length, true);
    cv.setUint32(24, zip64 ? 0xffffffff : entry.data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, zip64 ? 0xffffffff : offset, true);
    cd.set(name, 46);
    cd.set(extra, 46 + name.length);
    parts.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const cdOffset = offset;
  const cdSize = central.reduce((s, c) => s + c.length, 0);
  const tail: Uint8Array[] = [...central];
  if (zip64) {
    const rec = new Uint8Array(56);
    const rv = new DataView(rec.buffer);
    rv.setUint32(0, 0x06064b50, true);
    rv.setBigUint64(4, 44n, true);
    rv.setUint16(12, 45, true);
    rv.setUint16(14, 45, true);
    rv.setBigUint64(24, BigInt(entries.length), true);
    rv.setBigUint64(32, BigInt(entries.length), true);
    rv.setBigUint64(40, BigInt(cdSize), true);
    rv.setBigUint64(48, BigInt(cdOffset), true);
    const loc = new Uint8Array(20);
    const locv = new DataView(loc.buffer);
    locv.setUint32(0, 0x07064b50, true);
    locv.setBigUint64(8, BigInt(cdOffset + cdSize), true);
    locv.setUint32(16, 1, true);
    tail.push(rec, loc);
  }
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, zip64 ? 0xffff : entries.length, true);
  ev.setUint16(10, zip64 ? 0xffff : entries.length, true);
  ev.setUint32(12, zip64 ? 0xffffffff : cdSize, true);
  ev.setUint32(16, zip64 ? 0xffffffff : cdOffset, true);
  tail.push(end);
  return concat([...parts, ...tail]);
}

function zip64Extra(values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 8 * values.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, 0x0001, true);
  dv.setUint16(2, 8 * values.length, true);
  values.forEach((v, i) => dv.setBigUint64(4 + 8 * i, BigInt(v), true));
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** CRC-32 (IEEE), bitwise, independent of node:zlib. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
