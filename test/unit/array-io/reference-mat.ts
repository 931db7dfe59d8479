/**
 * Reference MAT-file writers for the tests, from MathWorks' "MAT-File Format" (v5) and the v7.3 layout (HDF5 with
 * a 512-byte user block, dimensions reversed, MATLAB_class attributes), independent of the readers.
 */
import { deflateSync } from 'node:zlib';
import { concat, encodeElements, toFortranOrder, type TestDtype } from './reference-npy.ts';

export type MatTestClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

const classCodes: Record<MatTestClass | 'cell' | 'struct' | 'char' | 'sparse', number> = {
  cell: 1, struct: 2, char: 4, sparse: 5, double: 6, single: 7, int8: 8, uint8: 9, int16: 10, uint16: 11, int32: 12, uint32: 13, int64: 14, uint64: 15,
};
const miCodes: Record<TestDtype, number> = { i1: 1, u1: 2, i2: 3, u2: 4, i4: 5, u4: 6, f4: 7, f8: 9, i8: 12, u8: 13, b1: 2, f2: 0 };
const classStorage: Record<MatTestClass, TestDtype> = {
  double: 'f8', single: 'f4', int8: 'i1', uint8: 'u1', int16: 'i2', uint16: 'u2', int32: 'i4', uint32: 'u4', int64: 'i8', uint64: 'u8',
};

export interface MatTestVariable {
  name: string;
  /** 'char', 'struct', 'sparse' write a header-only placeholder of that class. */
  matlabClass: MatTestClass | 'char' | 'struct' | 'sparse';
  dims: number[];
  /** C-order values (the writer stores them column-major). */
  values?: number[];
  /** The element type written when it differs from the class's (MATLAB narrows doubles to miUINT8 etc.). */
  storedAs?: TestDtype;
  logical?: boolean;
  complex?: boolean;
  compress?: boolean;
}

export function mat5Bytes(variables: readonly MatTestVariable[], littleEndian = true): Uint8Array {
  const header = new Uint8Array(128);
  header.fill(0x20, 0, 116);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, Platform: PCWIN64, Created on: Mon Jan  1 00:00:00 2024'));
  const hv = new DataView(header.buffer);
  hv.setUint16(124, 0x0100, littleEndian);
  header.set(new TextEncoder().encode(littleEndian ? 'IM' : 'MI'), 126);
  const parts: Uint8Array[] = [header];
  for (const variable of variables) {
    const matrix = element(14, matrixContents(variable, littleEndian), littleEndian, false);
    if (variable.compress) {
      const z = new Uint8Array(deflateSync(matrix));
      parts.push(tag(15, z.length, littleEndian), z); // compressed elements are not padded
    } else {
      parts.push(matrix);
    }
  }
  return concat(parts);
}

function matrixContents(v: MatTestVariable, le: boolean): Uint8Array {
  const flags = new Uint8Array(8);
  const fv = new DataView(flags.buffer);
  const classCode = classCodes[v.matlabClass];
  fv.setUint32(0, classCode | (v.complex ? 0x0800 : 0) | (v.logical ? 0x0200 : 0), le);
  const dims = encodeElements(v.dims, 'i4', le);
  const name = new TextEncoder().encode(v.name);
  const parts = [element(6, flags, le, false), element(5, dims, le, false), element(1, name, le, true)];
  if (v.matlabClass === 'char') {
    parts.push(element(4, encodeElements([...'abc'].map((c) => c.charCodeAt(0)), 'u2', le), le, true));
  } else if (v.matlabClass === 'struct') {
    parts.push(element(5, encodeElements([32], 'i4', le), le, true), element(1, new Uint8Array(32), le, false));
  } else if (v.matlabClass === 'sparse') {
    parts.push(element(5, new Uint8Array(0), le, true));
  } else {
    const stored = v.storedAs ?? classStorage[v.matlabClass];
    const fortran = toFortranOrder(v.values ?? [], v.dims);
    parts.push(element(miCodes[stored], encodeElements(fortran, stored, le), le, true));
    if (v.complex) parts.push(element(miCodes[stored], encodeElements(fortran, stored, le), le, true));
  }
  return concat(parts);
}

function tag(type: number, length: number, le: boolean): Uint8Array {
  const t = new Uint8Array(8);
  const dv = new DataView(t.buffer);
  dv.setUint32(0, type, le);
  dv.setUint32(4, length, le);
  return t;
}

/** A data element: tag + data + padding to 8 bytes; data of 1-4 bytes goes in the small format if allowed. */
function element(type: number, data: Uint8Array, le: boolean, allowSmall: boolean): Uint8Array {
  if (allowSmall && data.length > 0 && data.length <= 4) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, (data.length << 16) | type, le);
    out.set(data, 4);
    return out;
  }
  const padded = Math.ceil(data.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  out.set(tag(type, data.length, le));
  out.set(data, 8);
  return out;
}

/** The 512-byte user block MATLAB puts before the HDF5 data of a v7.3 file. */
export function mat73UserBlock(): Uint8Array {
  const block = new Uint8Array(512);
  block.fill(0x20, 0, 116);
  block.set(new TextEncoder().encode('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5 schema 1.00 .'));
  new DataView(block.buffer).setUint16(124, 0x0200, true);
  block.set(new TextEncoder().encode('IM'), 126);
  return block;
}
