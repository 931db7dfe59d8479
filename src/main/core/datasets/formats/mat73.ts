/**
 * MATLAB v7.3 MAT-files (`save -v7.3`): HDF5 files with a 512-byte user block whose first 128 bytes are a MAT
 * header. Each variable is a root dataset with a `MATLAB_class` attribute. MATLAB writes its column-major arrays
 * as C-order HDF5 datasets with the dimensions reversed, so a MATLAB 1024x421x421 array is stored as a
 * 421x421x1024 dataset; this reader reports MATLAB's dimensions and returns C-order values, as scipy/h5py users
 * get after transposing. Plain HDF5 files (no MAT header, no MATLAB_class) are read as they are, in C order.
 *
 * Reading goes through h5wasm (the HDF5 C library compiled to WebAssembly, reading the host file system
 * directly), which selects slabs itself, so only the selected elements are read. Its memory is 32-bit: read large
 * variables in batches of rows, or select what is needed (e.g. every 5th point).
 * Sources are valid until the MatFile is closed.
 */
import { LabError } from '../../../../shared/errors.ts';
import type { ArraySource } from './array-source.ts';
import { allocateDecoded, convertDecoded, decodeElements, elementCount, type DType, type NumericArray } from './dtype.ts';
import { classDtypes, noVariable, unreadable, type MatClass, type MatFile, type MatVariable } from './mat5.ts';
import { fortranToC, normalizeSelection, type AxisRange } from './slab.ts';

type H5Module = typeof import('h5wasm/node');
type H5File = InstanceType<H5Module['File']>;
type H5Dataset = InstanceType<H5Module['Dataset']>;

let h5wasmLoading: Promise<H5Module> | null = null;

/** h5wasm, loaded once, on first use (its WebAssembly takes a moment to compile). */
async function loadH5wasm(): Promise<H5Module> {
  h5wasmLoading ??= import('h5wasm/node').then(async (module) => {
    await module.ready;
    return module;
  });
  return h5wasmLoading;
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
}

/** Opens an HDF5 file as a MAT file; `matlabHeader` says whether it carries MATLAB's 512-byte user block. */
export async function openMat73(path: string, matlabHeader: boolean): Promise<MatFile> {
  const h5 = await loadH5wasm();
  let file: H5File;
  try {
    file = new h5.File(path, 'r');
  } catch (error) {
    throw new LabError(
      'bad-request',
      `${path}: cannot be opened as HDF5 (MAT v7.3): ${(error as Error).message}`,
      'Check that the file is complete; MAT v7.3 files are HDF5 files written by MATLAB save -v7.3.',
    );
  }
  const found: H5Variable[] = [];
  for (const name of file.keys()) {
    if (name.startsWith('#')) continue; // '#refs#' and '#subsystem#' hold MATLAB's internals
    const entity = file.get(name);
    if (entity instanceof h5.Dataset) found.push(describeDataset(name, entity, matlabHeader));
    else if (entity instanceof h5.Group) {
      found.push({
        variable: { name, matlabClass: 'struct', shape: [1, 1], complex: false, readable: 'it is a struct (an HDF5 group), not a numeric array' },
        dataset: null,
        stored: null,
        matlabLayout: matlabHeader,
      });
    }
  }
  let open = true;
  return {
    path,
    version: '7.3',
    variables: found.map((f) => f.variable),
    async open(name: string): Promise<ArraySource> {
      const entry = found.find((f) => f.variable.name === name);
      if (entry === undefined) throw noVariable(path, name, found.map((f) => f.variable));
      if (entry.variable.readable !== true || entry.dataset === null || entry.stored === null) throw unreadable(path, entry.variable);
      return new H5ArraySource(`${path}:${name}`, entry.variable, entry.dataset, entry.stored, entry.matlabLayout, () => open);
    },
    async close(): Promise<void> {
      if (!open) return;
      open = false;
      file.close();
    },
  };
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

  constructor(path: string, variable: MatVariable, dataset: H5Dataset, stored: DType, matlabLayout: boolean, isOpen: () => boolean) {
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
    const h5Ranges = selection.map((r) => [r.start, r.start + (r.count - 1) * r.step + 1, r.step] as [number, number, number]);
    let raw: unknown;
    try {
      raw = this.dataset.slice(this.order === 'F' ? h5Ranges.reverse() : h5Ranges);
    } catch (error) {
      throw new LabError(
        'bad-request',
        `${this.path}: HDF5 read failed: ${(error as Error).message}`,
        'The file may be damaged, or the selection too large for h5wasm\'s memory; read fewer rows at a time.',
      );
    }
    let values = this.toNumeric(raw);
    if (this.dtype !== this.stored) values = convertDecoded(values, this.dtype);
    return this.order === 'F' ? fortranToC(values, selectedShape, this.dtype) : values;
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
