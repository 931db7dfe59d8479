/**
 * numpy's .npy format (format versions 1.0, 2.0 and 3.0): a magic string, a version, a header length, a header
 * that is a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4)}, then the raw elements.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 *
 * Only the header is read up front; the data is read with positioned reads (array-source.ts), so arrays larger
 * than memory can be imported in batches. Object arrays ('|O') hold pickled Python objects and are refused.
 */
import { stat } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';
import { GatheredArraySource, type ArraySource } from './array-source.ts';
import { FileBytes, MemoryBytes, readFileRange, type ByteRunReader } from './byte-runs.ts';
import { elementCount, itemSizes, type DType, type StorageType } from './dtype.ts';
import { printable } from './printable.ts';
import type { StorageOrder } from './slab.ts';

export interface NpyHeader {
  version: [number, number];
  storage: StorageType;
  order: StorageOrder;
  shape: number[];
  /** Bytes from the start of the file to the first element. */
  dataOffset: number;
  /** Bytes the elements take. */
  dataLength: number;
}

const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Enough bytes for the fixed part of any version's preamble. */
export const npyPreambleBytes = 12;
/**
 * The longest header read: numpy.load itself refuses headers over 10,000 bytes (its `max_header_size`, "large and
 * may not be safe to load"); numpy.save writes a few hundred at most for the arrays P-DASH Lab reads.
 */
export const npyMaxHeaderBytes = 10_000;
/** How deeply the header's literals may nest (numpy's own are 2 deep: a dict holding a tuple). */
const maxHeaderDepth = 16;

/** Bytes of preamble + header for a file that starts with `first` (at least 12 bytes). */
export function npyHeaderLength(first: Uint8Array, where: string): number {
  if (first.length < 10 || magic.some((b, i) => first[i] !== b)) {
    throw new LabError(
      'bad-request',
      `${where}: not a .npy file (it does not start with the bytes \\x93NUMPY)`,
      'Save the array with numpy.save, or choose the right file.',
    );
  }
  const major = first[6]!;
  const view = new DataView(first.buffer, first.byteOffset, first.byteLength);
  let textLength: number | null = null;
  if (major === 1) textLength = view.getUint16(8, true);
  else if (major === 2 || major === 3) {
    if (first.length < 12) throw truncated(where, 12, first.length);
    textLength = view.getUint32(8, true);
  }
  if (textLength !== null) {
    if (textLength > npyMaxHeaderBytes) {
      throw new LabError(
        'bad-request',
        `${where}: the .npy header says it is ${textLength} bytes long; numpy writes a few hundred and reads at most ${npyMaxHeaderBytes}`,
        'The file is damaged or was not written by numpy; save the array again with numpy.save.',
      );
    }
    return (major === 1 ? 10 : 12) + textLength;
  }
  throw new LabError(
    'bad-request',
    `${where}: .npy format version ${major}.${first[7]} is not supported (1.0, 2.0 and 3.0 are)`,
    'Save the array with numpy.save from numpy 1.x or 2.x.',
  );
}

/** Parses the preamble and header (the first `npyHeaderLength` bytes of the file). */
export function parseNpyHeader(bytes: Uint8Array, where: string): NpyHeader {
  const headerEnd = npyHeaderLength(bytes, where);
  if (bytes.length < headerEnd) throw truncated(where, headerEnd, bytes.length);
  const major = bytes[6]!;
  const minor = bytes[7]!;
  const textStart = major === 1 ? 10 : 12;
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(textStart, headerEnd));
  let dict: PyValue;
  try {
    dict = new PyLiteralParser(text).parseWhole();
  } catch (error) {
    throw new LabError(
      'bad-request',
      `${where}: the .npy header cannot be read: ${printable((error as Error).message)} (header: ${quoteHeader(text)})`,
      'The file is damaged or was not written by numpy; save the array again with numpy.save.',
    );
  }
  if (!(dict instanceof Map)) throw badHeader(where, 'the header is not a dict', text);
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof fortran !== 'boolean') throw badHeader(where, "'fortran_order' is missing or not True/False", text);
  if (!(shape instanceof PyTuple) || !shape.items.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
    throw badHeader(where, "'shape' is missing or not a tuple of non-negative integers", text);
  }
  if (typeof descr !== 'string') {
    throw new LabError(
      'bad-request',
      `${where}: structured arrays (record dtypes) are not supported`,
      'Save each field as its own numeric array (numpy.save of arr["field"]).',
    );
  }
  const storage = parseDescr(descr, where);
  const dims = shape.items as number[];
  const dataLength = elementCount(dims) * storage.itemSize;
  if (!dims.every((d) => Number.isSafeInteger(d)) || !Number.isSafeInteger(dataLength)) {
    throw badHeader(where, `shape (${dims.join(', ')}) of ${storage.dtype} is larger than any file can hold`, text);
  }
  return {
    version: [major, minor],
    storage,
    order: fortran ? 'F' : 'C',
    shape: dims,
    dataOffset: headerEnd,
    dataLength,
  };
}

/** numpy's type string ('<f4', '|b1', '>i8') as a storage type; anything non-numeric is refused. */
export function parseDescr(descr: string, where: string): StorageType {
  const match = /^([<>|=]?)([a-zA-Z])(\d*)$/.exec(descr);
  const byteOrder = match?.[1] ?? '';
  const kind = match?.[2] ?? '';
  const size = Number(match?.[3] ?? '');
  if (kind === 'O') {
    throw new LabError(
      'bad-request',
      `${where}: the array has dtype object ('${clip(descr)}'), which holds pickled Python objects; P-DASH Lab never unpickles arbitrary objects`,
      'Convert it to a numeric dtype before saving (e.g. numpy.save(path, arr.astype(numpy.float32))).',
    );
  }
  const dtype = dtypeFor(kind, size);
  if (dtype === null) {
    const what: Record<string, string> = {
      c: 'complex',
      U: 'unicode string',
      S: 'byte string',
      a: 'byte string',
      M: 'datetime',
      m: 'timedelta',
      V: 'void/raw bytes',
    };
    throw new LabError(
      'bad-request',
      `${where}: dtype '${clip(descr)}' (${what[kind] ?? 'unknown kind'}) is not supported; P-DASH Lab reads bool, int8-64, uint8-64 and float16/32/64`,
      'Convert the array to a numeric dtype (e.g. arr.astype(numpy.float32)) and save it again.',
    );
  }
  // '=' is native order; every platform numpy and this lab run on is little-endian.
  return { dtype, itemSize: itemSizes[dtype], littleEndian: byteOrder !== '>' };
}

function dtypeFor(kind: string, size: number): DType | null {
  const table: Record<string, Record<number, DType>> = {
    b: { 1: 'bool' },
    i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
    u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
    f: { 2: 'float16', 4: 'float32', 8: 'float64' },
  };
  return table[kind]?.[size] ?? null;
}

/** Opens a .npy file: reads its header now, its data on demand. */
export async function openNpy(path: string): Promise<ArraySource> {
  const size = (await stat(path)).size;
  if (size < 10) throw truncated(path, 10, size);
  const first = await readFileRange(path, 0, Math.min(size, npyPreambleBytes));
  const headerEnd = npyHeaderLength(first, path);
  if (size < headerEnd) throw truncated(path, headerEnd, size);
  const header = parseNpyHeader(await readFileRange(path, 0, headerEnd), path);
  checkDataLength(header, size - header.dataOffset, path);
  return npySource(path, header, new FileBytes(path, header.dataOffset, header.dataLength), 'direct');
}

/** A .npy file already in memory (an npz entry that was decompressed whole). */
export function npyFromBytes(bytes: Uint8Array, where: string): ArraySource {
  const header = parseNpyHeader(bytes, where);
  checkDataLength(header, bytes.length - header.dataOffset, where);
  return npySource(
    where,
    header,
    new MemoryBytes(bytes.subarray(header.dataOffset, header.dataOffset + header.dataLength)),
    'direct',
  );
}

export function npySource(
  where: string,
  header: NpyHeader,
  bytes: ByteRunReader,
  rowAccess: 'direct' | 'full-pass',
): ArraySource {
  return new GatheredArraySource({
    path: where,
    shape: header.shape,
    order: header.order,
    storage: header.storage,
    bytes,
    rowAccess: header.order === 'F' ? 'full-pass' : rowAccess,
  });
}

export function checkDataLength(header: NpyHeader, available: number, where: string): void {
  if (available < header.dataLength) {
    throw new LabError(
      'bad-request',
      `${where}: truncated: the header says shape (${header.shape.join(', ')}) of ${header.storage.dtype} = ${header.dataLength} bytes of data, but only ${available} bytes follow the header`,
      'The file was cut short (an interrupted copy or download); copy it again.',
    );
  }
}

function truncated(where: string, needed: number, got: number): LabError {
  return new LabError(
    'bad-request',
    `${where}: truncated: the .npy header needs ${needed} bytes but the file has ${got}`,
    'The file was cut short (an interrupted copy or download); copy it again.',
  );
}

function badHeader(where: string, problem: string, text: string): LabError {
  return new LabError(
    'bad-request',
    `${where}: bad .npy header: ${problem} (header: ${quoteHeader(text)})`,
    'The file is damaged or was not written by numpy; save the array again with numpy.save.',
  );
}

/** A value from the header for a message: one line, at most 40 characters. */
function clip(text: string): string {
  return printable(text, 40);
}

/** The header text for a message: quoted, on one line, cut to 200 characters (a hostile header can be long). */
function quoteHeader(text: string): string {
  const trimmed = text.trim();
  // JSON escapes the C0 controls; printable() the rest (C1 controls, line and paragraph separators).
  return trimmed.length <= 200 ? printable(JSON.stringify(trimmed)) : `${printable(JSON.stringify(trimmed.slice(0, 200)))}... (${trimmed.length} characters)`;
}

// A parser for the Python literals a .npy header holds: dicts, tuples, lists, strings, ints, True/False/None.

export class PyTuple {
  readonly items: PyValue[];
  constructor(items: PyValue[]) {
    this.items = items;
  }
}
export type PyValue = string | number | boolean | null | PyValue[] | PyTuple | Map<string, PyValue>;

class PyLiteralParser {
  private pos = 0;
  private depth = 0;
  private readonly text: string;

  constructor(text: string) {
    this.text = text;
  }

  parseWhole(): PyValue {
    const value = this.value();
    this.skipSpace();
    if (this.pos !== this.text.length) throw new Error(`unexpected '${this.text[this.pos]}' at character ${this.pos}`);
    return value;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private value(): PyValue {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === undefined) throw new Error('unexpected end of header');
    if (c === '{' || c === '(' || c === '[') {
      if (++this.depth > maxHeaderDepth) throw new Error(`values nest deeper than ${maxHeaderDepth} levels at character ${this.pos}`);
      const nested = c === '{' ? this.dict() : c === '(' ? new PyTuple(this.sequence('(', ')')) : this.sequence('[', ']');
      this.depth--;
      return nested;
    }
    if (c === "'" || c === '"') return this.string();
    const word = /^(True|False|None|-?\d+L?)/.exec(this.text.slice(this.pos));
    if (word === null) throw new Error(`unexpected '${c}' at character ${this.pos}`);
    this.pos += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', '')); // Python 2 wrote long integers as 3L
  }

  private expect(c: string): void {
    this.skipSpace();
    if (this.text[this.pos] !== c) throw new Error(`expected '${c}' at character ${this.pos}`);
    this.pos++;
  }

  /** Comma-separated values up to `close`, trailing comma allowed. */
  private sequence(open: string, close: string): PyValue[] {
    this.expect(open);
    const items: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        return items;
      }
      items.push(this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== close) throw new Error(`expected ',' or '${close}' at character ${this.pos}`);
    }
  }

  private dict(): Map<string, PyValue> {
    this.expect('{');
    const map = new Map<string, PyValue>();
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return map;
      }
      const key = this.value();
      if (typeof key !== 'string') throw new Error(`dict key at character ${this.pos} is not a string`);
      this.expect(':');
      map.set(key, this.value());
      this.skipSpace();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') throw new Error(`expected ',' or '}' at character ${this.pos}`);
    }
  }

  private string(): string {
    const quote = this.text[this.pos]!;
    let out = '';
    for (this.pos++; this.pos < this.text.length; this.pos++) {
      const c = this.text[this.pos]!;
      if (c === quote) {
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const next = this.text[++this.pos];
        if (next === undefined) break;
        out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      } else {
        out += c;
      }
    }
    throw new Error('unterminated string');
  }
}
