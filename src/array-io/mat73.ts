/**
 * MATLAB v7.3 MAT-files (`save -v7.3`): HDF5 files with a 512-byte user block whose first 128 bytes are a MAT
 * header. Each variable is a root dataset with a `MATLAB_class` attribute. MATLAB writes its column-major arrays
 * as C-order HDF5 datasets with the dimensions reversed, so a MATLAB 1024x421x421 array is stored as a
 * 421x421x1024 dataset; this reader reports MATLAB's dimensions and returns C-order values, as scipy/h5py users
 * get after transposing. Plain HDF5 files (no MAT header, no MATLAB_class) are read as they are, in C order.
 *
 * Reading goes through h5wasm (the HDF5 C library compiled to WebAssembly, reading the host file system
 * directly), which selects slabs itself, so only the selected elements are read. Its memory is 32-bit: read large
 * variables in batches of rows, or select what is needed (e.g. every 5th point). Each read goes to h5wasm in slabs
 * of at most `h5SlabBytes`, so its heap stays small whatever a caller selects.
 * Sources are valid until the MatFile is closed.
 *
 * An HDF5 file says how large its datasets are, and a hostile one can declare 30000 x 421 x 421 doubles in 11 KB
 * (chunks never written read as fill values). So before anything is read, each dataset's declared size is checked
 * against what the file can hold: an uncompressed dataset at most the file's size, a deflated one at most 1032
 * times it, and any at most `maxDeclaredBytes` (streams.ts). HDF5's errors become one line naming the file.
 */
import { stat } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';
import type { ArraySource } from './array-source.ts';
import { allocateDecoded, convertDecoded, decodeElements, elementCount, itemSizes, type DType, type NumericArray } from './dtype.ts';
import { classDtypes, noVariable, unreadable, type MatClass, type MatFile, type MatVariable } from './mat5.ts';
import { fortranToC, normalizeSelection, type AxisRange } from './slab.ts';
import { maxDeclaredBytes, maxDeflateRatio } from './streams.ts';

type H5Module = typeof import('h5wasm/node');
type H5File = InstanceType<H5Module['File']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

let h5wasmLoading: Promise<H5Module> | null = null;

/**
 * h5wasm, loaded once, on first use (its WebAssembly takes a moment to compile). HDF5's errors are turned into
 * exceptions: by default the library prints its whole error stack to stderr and h5wasm then fails with
 * "error - name not defined!", which tells a user nothing.
 */
async function loadH5wasm(): Promise<H5Module> {
  h5wasmLoading ??= import('h5wasm/node').then(async (module) => {
    const wasm = await module.ready;
    wasm.activate_throwing_error_handler();
    return module;
  });
  return h5wasmLoading;
}

/** The largest slab one h5wasm read returns (its memory is 32-bit and never shrinks). */
export const h5SlabBytes = 64 * 1024 * 1024;

/**
 * An HDF5 error as one line: the innermost reason of the error stack ("bad superblock version number"), or the
 * message itself when it is no stack.
 */
export function hdf5Reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reasons = [...message.matchAll(/#\d+:.*? in [^(]*\(\): (.*)$/gm)].map((m) => m[1]!.trim());
  const reason = reasons.at(-1) ?? message.split('\n').find((line) => line.trim() !== '')?.trim() ?? 'unknown error';
  return reason === 'error - name not defined!' ? 'an object it names cannot be found' : reason;
}

function damagedHdf5(path: string, error: unknown): LabError {
  if (error instanceof LabError) return error;
  return new LabError(
    'bad-request',
    `${path}: cannot be read as HDF5 (MAT v7.3): ${hdf5Reason(error)}`,
    'Check that the file is complete; MAT v7.3 files are HDF5 files written by MATLAB save -v7.3.',
  );
}

export interface Mat73Options {
  /** The most bytes one dataset may declare (default `maxDeclaredBytes` of streams.ts, 8 GiB). */
  maxDeclaredBytes?: number;
  /** The largest slab one h5wasm read returns (default `h5SlabBytes`, 64 MiB). */
  slabBytes?: number;
}

const matlabClasses: ReadonlySet<string> = new Set<MatClass>([
  'cell',
  'struct',
  'object',
  'char',
  'sparse',
  'double',
  'single',
  'int8',
  'uint8',
  'int16',
  'uint16',
  'int32',
  'uint32',
  'int64',
  'uint64',
  'logical',
  'function',
  'opaque',
]);

interface H5Variable {
  variable: MatVariable;
  dataset: H5Dataset | null;
  /** The dtype of what HDF5 stores. */
  stored: DType | null;
  /** MATLAB layout: dimensions reversed, results transposed. */
  matlabLayout: boolean;
  /** Why the dataset's declared size cannot be right (checkDeclared), if it cannot. */
  sizeProblem?: string;
}

/** Opens an HDF5 file as a MAT file; `matlabHeader` says whether it carries MATLAB's 512-byte user block. */
export async function openMat73(path: string, matlabHeader: boolean, options: Mat73Options = {}): Promise<MatFile> {
  const h5 = await loadH5wasm();
  const fileSize = (await stat(path)).size;
  const cap = options.maxDeclaredBytes ?? maxDeclaredBytes;
  const slabBytes = options.slabBytes ?? h5SlabBytes;
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    throw damagedHdf5(path, error);
  }
  const found: H5Variable[] = [];
  try {
    for (const name of file.keys()) {
      if (name.startsWith('#')) continue; // '#refs#' and '#subsystem#' hold MATLAB's internals
      const entity = file.get(name);
      if (entity instanceof h5.Dataset) {
        const described = describeDataset(name, entity, matlabHeader);
        if (described.variable.readable === true) {
          const problem = checkDeclared(entity, described.variable.shape, fileSize, cap);
          if (problem !== null) {
            described.variable.readable = problem;
            described.sizeProblem = problem;
          }
        }
        found.push(described);
      } else if (entity instanceof h5.Group) {
        found.push({
          variable: { name, matlabClass: 'struct', shape: [1, 1], complex: false, readable: 'it is a struct (an HDF5 group), not a numeric array' },
          dataset: null,
          stored: null,
          matlabLayout: matlabHeader,
        });
      }
    }
  } catch (error) {
    try {
      file.close();
    } catch {
      // The file is already unusable; the error that made it so is the one to report.
    }
    throw damagedHdf5(path, error);
  }
  let open = true;
  return {
    path,
    version: '7.3',
    variables: found.map((f) => f.variable),
    async open(name: string): Promise<ArraySource> {
      const entry = found.find((f) => f.variable.name === name);
      if (entry === undefined) throw noVariable(path, name, found.map((f) => f.variable));
      if (entry.sizeProblem !== undefined) {
        throw new LabError(
          'bad-request',
          `${path}: variable '${name}' cannot be read: ${entry.sizeProblem}`,
          entry.sizeProblem.includes('limit')
            ? 'Split the data into smaller variables, or raise the maxDeclaredBytes limit if the file is trusted.'
            : 'The file is damaged or deliberately malformed; save the variable again with save -v7.3.',
        );
      }
      if (entry.variable.readable !== true || entry.dataset === null || entry.stored === null) throw unreadable(path, entry.variable);
      return new H5ArraySource(`${path}:${name}`, entry.variable, entry.dataset, entry.stored, entry.matlabLayout, () => open, slabBytes);
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      try {
        file.close();
      } catch (error) {
        throw damagedHdf5(path, error);
      }
    },
  };
}

/**
 * Why a dataset's declared size cannot be right, or null if the file can hold it. Contiguous data without filters
 * lies in the file; chunks without a compressing filter take their full size in it; deflated chunks hold at most
 * 1032 times their size. Chunks that were never written read as fill values and take nothing, which MATLAB never
 * relies on, so a dataset declaring more than its file could hold is refused before it is read.
 */
function checkDeclared(dataset: H5Dataset, shape: readonly number[], fileSize: number, cap: number): string | null {
  const metadata = dataset.metadata;
  const declared = elementCount(metadata.shape ?? []) * metadata.size;
  const filters = metadata.chunks === null ? [] : dataset.filters.map((f) => f.id);
  const compressing = filters.filter((id) => id !== 2 && id !== 3); // shuffle and fletcher32 do not shrink data
  const deflateOnly = compressing.every((id) => id === 1);
  const limit = compressing.length === 0 ? fileSize : deflateOnly ? fileSize * maxDeflateRatio : Infinity;
  const dims = shape.join(' x ');
  if (declared > limit) {
    const how = compressing.length === 0 ? 'uncompressed' : 'deflated';
    return `it declares ${dims} elements of ${metadata.size} bytes (${declared} bytes), more than a ${fileSize}-byte file holds ${how}; the file is damaged or malformed`;
  }
  if (declared > cap) return `it declares ${dims} elements of ${metadata.size} bytes (${declared} bytes), over the ${cap}-byte limit for one array`;
  return null;
}

function describeDataset(name: string, dataset: H5Dataset, matlabHeader: boolean): H5Variable {
  const classAttribute = dataset.attrs['MATLAB_class']?.value;
  const declared = typeof classAttribute === 'string' ? classAttribute : null;
  const matlabLayout = matlabHeader || declared !== null;
  const stored = h5Dtype(dataset.metadata);
  const rawShape = dataset.shape ?? [];
  let shape = matlabLayout ? [...rawShape].reverse() : [...rawShape];
  let matlabClass: MatClass;
  if (declared !== null) matlabClass = matlabClasses.has(declared) ? (declared as MatClass) : 'unknown';
  else matlabClass = stored === null ? 'unknown' : (plainClasses[stored] ?? 'unknown');
  const variable: MatVariable = { name, matlabClass, shape, complex: false, readable: true };
  const metadata = dataset.metadata;
  if (metadata.type === 6) {
    variable.complex = true;
    variable.readable = 'it is complex (a compound HDF5 type); only real arrays are supported';
  } else if (stored === null) {
    variable.readable = `it is a ${matlabClass === 'unknown' ? `dataset of HDF5 type class ${metadata.type}` : matlabClass}, not a numeric array`;
  } else if (!metadata.littleEndian && metadata.size > 1) {
    variable.readable = 'its data is big-endian, which MATLAB never writes; convert it to little-endian';
  } else if (declared !== null && !['double', 'single', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'logical'].includes(declared)) {
    variable.readable = `it is a ${declared}, not a numeric array`;
  }
  const empty = dataset.attrs['MATLAB_empty']?.value;
  if (empty !== undefined && empty !== null && Number(empty) !== 0) {
    // An empty MATLAB array is stored as its dimensions vector.
    const dims = dataset.value;
    shape = ArrayBuffer.isView(dims) ? Array.from(dims as ArrayLike<number | bigint>, Number) : [0, 0];
    variable.shape = shape.includes(0) ? shape : [0, 0];
  }
  return { variable, dataset, stored, matlabLayout };
}

function h5Dtype(metadata: { type: number; size: number; signed: boolean }): DType | null {
  const { type, size, signed } = metadata;
  if (type === 0) {
    const ints: Record<number, [DType, DType]> = { 1: ['int8', 'uint8'], 2: ['int16', 'uint16'], 4: ['int32', 'uint32'], 8: ['int64', 'uint64'] };
    const pair = ints[size];
    return pair === undefined ? null : signed ? pair[0] : pair[1];
  }
  if (type === 1) return size === 4 ? 'float32' : size === 8 ? 'float64' : null;
  return null;
}

/** The MATLAB class a plain HDF5 dataset's type corresponds to: mat5's table read backwards (bool has none). */
const plainClasses: Partial<Record<DType, MatClass>> = Object.fromEntries(
  Object.entries(classDtypes)
    .filter(([matlabClass]) => matlabClass !== 'logical')
    .map(([matlabClass, dtype]) => [dtype, matlabClass]),
);

const classDtype: Partial<Record<MatClass, DType>> = { double: 'float64', single: 'float32', logical: 'bool' };

class H5ArraySource implements ArraySource {
  readonly path: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly order: 'C' | 'F';
  readonly rowAccess = 'full-pass' as const;
  private readonly dataset: H5Dataset;
  private readonly stored: DType;
  private readonly isOpen: () => boolean;
  private readonly slabBytes: number;

  constructor(path: string, variable: MatVariable, dataset: H5Dataset, stored: DType, matlabLayout: boolean, isOpen: () => boolean, slabBytes: number) {
    this.slabBytes = slabBytes;
    this.path = path;
    this.shape = variable.shape;
    this.dataset = dataset;
    this.stored = stored;
    this.dtype = classDtype[variable.matlabClass] ?? stored;
    this.order = matlabLayout ? 'F' : 'C';
    this.isOpen = isOpen;
  }

  async readRows(start: number, count: number): Promise<NumericArray> {
    return this.readSlab([{ start, stop: start + count }]);
  }

  async readSlab(ranges: readonly (AxisRange | undefined)[]): Promise<NumericArray> {
    if (!this.isOpen()) {
      throw new LabError('unavailable', `${this.path}: the file has been closed`, 'Read variables before closing their MAT file.');
    }
    const selection = normalizeSelection(this.shape, ranges, this.path);
    const selectedShape = selection.map((r) => r.count);
    if (elementCount(selectedShape) === 0) return allocateDecoded(this.dtype, 0);
    // In storage order (MATLAB's dimensions reversed); the slowest stored axis is split into bounded slabs.
    const stored = this.order === 'F' ? [...selection].reverse() : selection;
    let values: NumericArray;
    if (stored.length === 0) values = this.readStored([]);
    else {
      const outer = stored[0]!;
      const inner = stored.slice(1);
      const perOuter = elementCount(inner.map((r) => r.count)) * itemSizes[this.stored];
      const step = Math.max(1, Math.floor(this.slabBytes / Math.max(1, perOuter)));
      const pieces: NumericArray[] = [];
      for (let first = 0; first < outer.count; first += step) {
        const count = Math.min(step, outer.count - first);
        pieces.push(this.readStored([{ start: outer.start + first * outer.step, step: outer.step, count }, ...inner]));
      }
      values = concatPieces(pieces);
    }
    if (this.dtype !== this.stored) values = convertDecoded(values, this.dtype);
    return this.order === 'F' ? fortranToC(values, selectedShape, this.dtype) : values;
  }

  /** One h5wasm read of a selection in storage order. */
  private readStored(ranges: readonly { start: number; step: number; count: number }[]): NumericArray {
    const h5Ranges = ranges.map((r) => [r.start, r.start + (r.count - 1) * r.step + 1, r.step] as [number, number, number]);
    let raw: unknown;
    try {
      raw = this.dataset.slice(h5Ranges);
    } catch (error) {
      throw new LabError(
        'bad-request',
        `${this.path}: HDF5 read failed: ${hdf5Reason(error)}`,
        'The file is damaged or truncated; save it again with save -v7.3.',
      );
    }
    return this.toNumeric(raw);
  }

  private toNumeric(raw: unknown): NumericArray {
    if (raw instanceof BigInt64Array || raw instanceof BigUint64Array) {
      const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
      return decodeElements(bytes, { dtype: this.stored, itemSize: 8, littleEndian: true }, this.path);
    }
    if (
      raw instanceof Float32Array ||
      raw instanceof Float64Array ||
      raw instanceof Int8Array ||
      raw instanceof Int16Array ||
      raw instanceof Int32Array ||
      raw instanceof Uint8Array ||
      raw instanceof Uint16Array ||
      raw instanceof Uint32Array
    ) {
      return raw;
    }
    if (typeof raw === 'number') return convertDecoded(Float64Array.of(raw), this.stored);
    throw new LabError('bad-request', `${this.path}: HDF5 returned no numeric array`, 'The variable is not a numeric array.');
  }

  async close(): Promise<void> {}
}

/** Slabs read one after another, as one array. */
function concatPieces(pieces: NumericArray[]): NumericArray {
  if (pieces.length === 1) return pieces[0]!;
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const out = new (pieces[0]!.constructor as new (length: number) => NumericArray)(total);
  let offset = 0;
  for (const piece of pieces) {
    out.set(piece as never, offset);
    offset += piece.length;
  }
  return out;
}
