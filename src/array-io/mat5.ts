/**
 * MATLAB Level 5 MAT-files (`save -v6`, `save -v7`, scipy.io.savemat): the numeric-array subset that
 * NAS-Bench-360's DarcyFlow files use. A 128-byte header, then data elements; a variable is a miMATRIX element,
 * or (v7) a miCOMPRESSED element whose zlib stream holds one. A numeric miMATRIX holds array flags (class,
 * complex/logical bits), dimensions, a name, and the real part, column-major, often in a smaller type than its
 * class (MATLAB writes a double array of small integers as miUINT8).
 * Reference: MathWorks, "MAT-File Format" (matfile_format.pdf), chapter 1.
 *
 * Opening reads only the variables' headers. Uncompressed data is read in place (Fortran order, see
 * array-source.ts); compressed variables up to 64 MiB are decompressed once, larger ones are streamed from
 * their start for each read ('full-pass').
 *
 * A compressed variable is trusted no further than its header: the size its miMATRIX tag declares must be one
 * its compressed bytes can produce (at most 1032 times them) and within `maxDeclaredBytes`, and it is never
 * decompressed past that size; more or fewer bytes than declared is an error (streams.ts).
 */
import { stat } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';
import { GatheredArraySource, type ArraySource } from './array-source.ts';
import { FileBytes, MemoryBytes, StreamBytes, readFileRange, type ByteRunReader } from './byte-runs.ts';
import { elementCount, itemSizes, type DType, type StorageType } from './dtype.ts';
import { checkDeclaredSize, fileRangeStream, inflateExactly, maxDeclaredBytes, skipBytes, streamPrefix } from './streams.ts';

/** What a MAT variable is, as the file's array flags say (names as MATLAB's `class()` gives them). */
export type MatClass =
  | 'cell'
  | 'struct'
  | 'object'
  | 'char'
  | 'sparse'
  | 'double'
  | 'single'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'logical'
  | 'function'
  | 'opaque'
  | 'unknown';

export interface MatVariable {
  name: string;
  matlabClass: MatClass;
  /** MATLAB's dimensions (at least 2). */
  shape: number[];
  complex: boolean;
  /** Whether P-DASH Lab can read it as an array, and if not, why. */
  readable: true | string;
}

export interface MatFile {
  readonly path: string;
  readonly version: '5' | '7.3';
  readonly variables: readonly MatVariable[];
  /** A numeric variable as an ArraySource with MATLAB's dimensions (results C order). */
  open(name: string): Promise<ArraySource>;
  close(): Promise<void>;
}

const miTypes: Record<number, DType> = {
  1: 'int8',
  2: 'uint8',
  3: 'int16',
  4: 'uint16',
  5: 'int32',
  6: 'uint32',
  7: 'float32',
  9: 'float64',
  12: 'int64',
  13: 'uint64',
};
const miMatrix = 14;
const miCompressed = 15;

const mxClasses: Record<number, MatClass> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  4: 'char',
  5: 'sparse',
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
  16: 'function',
  17: 'opaque',
};
/** The element type each numeric MATLAB class holds (mat73.ts reads the same table backwards). */
export const classDtypes: Partial<Record<MatClass, DType>> = {
  double: 'float64',
  single: 'float32',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  uint64: 'uint64',
  logical: 'bool',
};

/** Compressed variables up to this size are decompressed into memory once. */
export const matInMemoryLimitBytes = 64 * 1024 * 1024;

interface Located {
  variable: MatVariable;
  /** Where the real part's elements are: in the file itself, or inside a compressed element's stream. */
  data:
    | { kind: 'file'; offset: number; storage: StorageType; length: number }
    | { kind: 'compressed'; elementOffset: number; elementLength: number; streamOffset: number; streamLength: number; storage: StorageType; length: number };
}

export interface Mat5Options {
  /** Compressed variables up to this many bytes are decompressed whole (default 64 MiB). */
  inMemoryLimitBytes?: number;
  /** The most bytes one variable may declare (default `maxDeclaredBytes` of streams.ts, 8 GiB); v7.3 too. */
  maxDeclaredBytes?: number;
  /** v7.3 only: the largest slab one h5wasm read returns (default 64 MiB). */
  slabBytes?: number;
}

/** Opens a MAT v5/v7 file whose 128-byte header has been read and checked by the caller (mat.ts). */
export async function openMat5(path: string, header: Uint8Array, options: Mat5Options = {}): Promise<MatFile> {
  const littleEndian = header[126] === 0x49 && header[127] === 0x4d; // 'IM'
  const size = (await stat(path)).size;
  const cap = options.maxDeclaredBytes ?? maxDeclaredBytes;
  const located: Located[] = [];
  let position = 128;
  while (position + 8 <= size) {
    const tagBytes = await readFileRange(path, position, 8);
    const tv = new DataView(tagBytes.buffer);
    const type = tv.getUint32(0, littleEndian);
    const length = tv.getUint32(4, littleEndian);
    const contentStart = position + 8;
    if (contentStart + length > size) {
      throw new LabError(
        'bad-request',
        `${path}: truncated: a data element at byte ${position} needs ${length} bytes but the file ends at byte ${size}`,
        'The file was cut short (an interrupted copy or download); copy it again.',
      );
    }
    if (type === miMatrix) {
      const head = await readFileRange(path, contentStart, Math.min(length, 4096));
      const parsed = parseMatrixHeader(head, littleEndian, length, path);
      if (parsed !== null) {
        located.push({
          variable: parsed.variable,
          data: { kind: 'file', offset: contentStart + parsed.dataOffset, storage: parsed.storage, length: parsed.dataLength },
        });
      }
      position = contentStart + length + ((8 - (length % 8)) % 8);
    } else if (type === miCompressed) {
      const stream = (): AsyncGenerator<Uint8Array> => fileRangeStream(path, contentStart, length, 'zlib', `the variable at byte ${position}`);
      const head = await streamPrefix(stream(), 4096 + 8);
      if (head.length >= 8) {
        const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
        const innerType = hv.getUint32(0, littleEndian);
        const innerLength = hv.getUint32(4, littleEndian);
        const parsed = innerType === miMatrix ? parseMatrixHeader(head.subarray(8), littleEndian, innerLength, path) : null;
        if (parsed !== null) {
          const what = parsed.variable.name === '' ? `the compressed variable at byte ${position}` : `compressed variable '${parsed.variable.name}'`;
          checkDeclaredSize(path, what, 8 + innerLength, length, cap);
          located.push({
            variable: parsed.variable,
            data: {
              kind: 'compressed',
              elementOffset: contentStart,
              elementLength: length,
              streamOffset: 8 + parsed.dataOffset,
              streamLength: 8 + innerLength,
              storage: parsed.storage,
              length: parsed.dataLength,
            },
          });
        }
      }
      position = contentStart + length; // compressed elements are not padded
    } else {
      position = contentStart + length + ((8 - (length % 8)) % 8);
    }
  }
  const inMemoryLimit = options.inMemoryLimitBytes ?? matInMemoryLimitBytes;
  return {
    path,
    version: '5',
    variables: located.map((l) => l.variable),
    async open(name: string): Promise<ArraySource> {
      const found = located.find((l) => l.variable.name === name);
      if (found === undefined) throw noVariable(path, name, located.map((l) => l.variable));
      return openLocated(path, found, inMemoryLimit);
    },
    async close(): Promise<void> {},
  };
}

export function noVariable(path: string, name: string, variables: readonly MatVariable[]): LabError {
  return new LabError(
    'not-found',
    `${path}: no variable named '${name}' (the file holds ${variables.map((v) => `'${v.name}' (${v.matlabClass} ${v.shape.join('x')})`).join(', ') || 'no variables'})`,
    'Choose one of the variables the file holds.',
  );
}

export function unreadable(path: string, variable: MatVariable): LabError {
  return new LabError(
    'bad-request',
    `${path}: variable '${variable.name}' cannot be read: ${variable.readable}`,
    'Save the data as a real numeric array (double, single or an integer class) and import it again.',
  );
}

async function openLocated(path: string, found: Located, inMemoryLimit: number): Promise<ArraySource> {
  const { variable, data } = found;
  if (variable.readable !== true) throw unreadable(path, variable);
  const where = `${path}:${variable.name}`;
  let bytes: ByteRunReader;
  let rowAccess: 'direct' | 'full-pass' = 'full-pass';
  if (data.kind === 'file') {
    bytes = new FileBytes(path, data.offset, data.length);
  } else if (data.streamLength <= inMemoryLimit) {
    const compressed = await readFileRange(path, data.elementOffset, data.elementLength);
    // Exactly the declared element (tag + miMATRIX), which holds the data (parseMatrixHeader checked that).
    const inflated = inflateExactly(path, `variable '${variable.name}'`, compressed, 'zlib', data.streamLength);
    bytes = new MemoryBytes(inflated.subarray(data.streamOffset, data.streamOffset + data.length));
    rowAccess = 'direct';
  } else {
    const open = (): AsyncIterable<Uint8Array> =>
      skipBytes(
        fileRangeStream(path, data.elementOffset, data.elementLength, 'zlib', `variable '${variable.name}'`, data.streamLength),
        data.streamOffset,
      );
    bytes = new StreamBytes(where, data.length, open);
  }
  return new GatheredArraySource({
    path: where,
    shape: variable.shape,
    order: 'F',
    storage: data.storage,
    dtype: classDtypes[variable.matlabClass]!,
    bytes,
    rowAccess: variable.shape.slice(1).every((d) => d === 1) ? 'direct' : rowAccess,
  });
}

interface Tag {
  type: number;
  length: number;
  dataOffset: number;
  /** Offset of the next element (data padded to 8 bytes). */
  next: number;
}

/** A sub-element's tag; the small format packs up to 4 bytes of data into the tag itself. */
function readTag(dv: DataView, offset: number, littleEndian: boolean): Tag {
  const word = dv.getUint32(offset, littleEndian);
  if (word >>> 16 !== 0) return { type: word & 0xffff, length: word >>> 16, dataOffset: offset + 4, next: offset + 8 };
  const length = dv.getUint32(offset + 4, littleEndian);
  return { type: word, length, dataOffset: offset + 8, next: offset + 8 + length + ((8 - (length % 8)) % 8) };
}

/**
 * Reads a miMATRIX element's contents up to the start of its real part. Returns null for a variable that is no
 * array at all (an empty placeholder); throws for a damaged header.
 */
function parseMatrixHeader(
  head: Uint8Array,
  littleEndian: boolean,
  matrixLength: number,
  path: string,
): { variable: MatVariable; dataOffset: number; dataLength: number; storage: StorageType } | null {
  if (matrixLength === 0) return null;
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const need = (end: number, what: string): void => {
    if (end > head.length) {
      throw new LabError(
        'bad-request',
        `${path}: damaged or unsupported MAT variable: its ${what} runs past ${head.length} bytes`,
        'Save the variable again (save -v7 or -v7.3) and import it again.',
      );
    }
  };
  need(16, 'array flags');
  const flagsTag = readTag(dv, 0, littleEndian);
  const flagsWord = dv.getUint32(flagsTag.dataOffset, littleEndian);
  const classCode = flagsWord & 0xff;
  const complex = (flagsWord & 0x0800) !== 0;
  const logical = (flagsWord & 0x0200) !== 0;
  need(flagsTag.next + 8, 'dimensions');
  const dimsTag = readTag(dv, flagsTag.next, littleEndian);
  need(dimsTag.dataOffset + dimsTag.length, 'dimensions');
  const shape: number[] = [];
  for (let i = 0; i < Math.floor(dimsTag.length / 4); i++) shape.push(dv.getInt32(dimsTag.dataOffset + 4 * i, littleEndian));
  need(dimsTag.next + 8, 'name');
  const nameTag = readTag(dv, dimsTag.next, littleEndian);
  need(nameTag.dataOffset + nameTag.length, 'name');
  // Control characters would break the one-line messages that name the variable; MATLAB names never hold them.
  const name = new TextDecoder('latin1')
    .decode(head.subarray(nameTag.dataOffset, nameTag.dataOffset + Math.min(nameTag.length, 64)))
    .replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  let matlabClass: MatClass = mxClasses[classCode] ?? 'unknown';
  if (logical && matlabClass === 'uint8') matlabClass = 'logical';
  const variable: MatVariable = { name, matlabClass, shape, complex, readable: true };
  const dtype = classDtypes[matlabClass];
  if (dtype === undefined) {
    variable.readable = `it is a ${matlabClass === 'unknown' ? `variable of unknown class ${classCode}` : matlabClass}, not a numeric array`;
  } else if (complex) {
    variable.readable = 'it is complex; only real arrays are supported';
  }
  if (variable.readable !== true) return { variable, dataOffset: 0, dataLength: 0, storage: { dtype: 'uint8', itemSize: 1, littleEndian } };
  need(nameTag.next + 8, 'data');
  const dataTag = readTag(dv, nameTag.next, littleEndian);
  const storedDtype = miTypes[dataTag.type];
  if (storedDtype === undefined) {
    variable.readable = `its data has element type ${dataTag.type}, which is not numeric`;
    return { variable, dataOffset: 0, dataLength: 0, storage: { dtype: 'uint8', itemSize: 1, littleEndian } };
  }
  if (shape.length < 2 || shape.some((d) => d < 0)) {
    throw new LabError(
      'bad-request',
      `${path}: variable '${name}' has dimensions ${shape.join('x') || '(none)'}; MATLAB writes at least two, none negative`,
      'The file is damaged; save the variable again and import it again.',
    );
  }
  const storage: StorageType = { dtype: storedDtype, itemSize: itemSizes[storedDtype], littleEndian };
  const expected = elementCount(shape) * storage.itemSize;
  if (dataTag.length !== expected) {
    throw new LabError(
      'bad-request',
      `${path}: variable '${name}' has ${dataTag.length} bytes of ${storedDtype} data, but its dimensions ${shape.join('x')} need ${expected}`,
      'The file is damaged; save the variable again and import it again.',
    );
  }
  if (dataTag.dataOffset + dataTag.length > matrixLength) {
    throw new LabError(
      'bad-request',
      `${path}: variable '${name}': its data runs past the end of its element`,
      'The file is damaged; save the variable again and import it again.',
    );
  }
  return { variable, dataOffset: dataTag.dataOffset, dataLength: dataTag.length, storage };
}
