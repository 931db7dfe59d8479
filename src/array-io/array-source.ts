/**
 * One array in a file, read in pieces so that a file far larger than the JavaScript heap can be imported batch by
 * batch. Every format reader (npy, npz, MAT v5, MAT v7.3) hands out ArraySources; everything after the reader
 * (validation, preprocessing, the lab's storage) sees only this interface and C-order typed arrays.
 *
 * Reading rows of a C-order array touches only those rows' bytes (one read). In a Fortran-order array the rows of
 * one column are adjacent and the columns follow one another, so rows [s, s + n) are one run of n elements per
 * column: runs that are close together are read with one read (byte-runs.ts), and the gathered, Fortran-order
 * block is transposed to C order in memory. The cost of one call therefore approaches one pass over the array,
 * which is why Fortran-order and compressed sources say `rowAccess: 'full-pass'`: read them in as few, as large
 * calls as memory allows, or select only what is needed with `readSlab` (e.g. every 5th point of each axis).
 */
import { LabError } from '../shared/errors.ts';
import { MemoryBytes, type ByteRunReader } from './byte-runs.ts';
import {
  allocateDecoded,
  convertDecoded,
  decodeElements,
  dtypeOfArray,
  elementCount,
  type DType,
  type NumericArray,
  type StorageType,
} from './dtype.ts';
import { fortranToC, normalizeSelection, planRuns, type AxisRange, type StorageOrder } from './slab.ts';

export type { AxisRange, StorageOrder } from './slab.ts';

export interface ArraySource {
  /** The file, and the member inside it where there is one (`data.npz#x.npy`, `darcy.mat:coeff`). */
  readonly path: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** How the file stores the array; results are always C order. */
  readonly order: StorageOrder;
  /** 'direct': a read costs what it returns. 'full-pass': a read can cost a pass over the whole array. */
  readonly rowAccess: 'direct' | 'full-pass';
  /** Rows [start, start + count) along axis 0, C order. */
  readRows(start: number, count: number): Promise<NumericArray>;
  /** A strided box (one range per axis; axes not given are taken whole), C order. */
  readSlab(ranges: readonly (AxisRange | undefined)[]): Promise<NumericArray>;
  close(): Promise<void>;
}

export interface GatheredArrayOptions {
  path: string;
  shape: readonly number[];
  order: StorageOrder;
  storage: StorageType;
  /** The dtype results have when it differs from the stored one (MAT files store doubles in smaller types). */
  dtype?: DType;
  bytes: ByteRunReader;
  rowAccess: 'direct' | 'full-pass';
}

/** An ArraySource over stored bytes: plans the runs a selection needs, gathers, decodes, reorders to C. */
export class GatheredArraySource implements ArraySource {
  readonly path: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly order: StorageOrder;
  readonly rowAccess: 'direct' | 'full-pass';
  private readonly storage: StorageType;
  private readonly bytes: ByteRunReader;

  constructor(options: GatheredArrayOptions) {
    this.path = options.path;
    this.shape = [...options.shape];
    this.order = options.order;
    this.storage = options.storage;
    this.dtype = options.dtype ?? options.storage.dtype;
    this.bytes = options.bytes;
    this.rowAccess = options.rowAccess;
  }

  async readRows(start: number, count: number): Promise<NumericArray> {
    const rows = this.shape[0];
    if (rows === undefined) {
      throw new LabError('bad-request', `${this.path}: a 0-d array has no rows`, 'Read it with readSlab([]).');
    }
    return this.readSlab([{ start, stop: start + count }]);
  }

  async readSlab(ranges: readonly (AxisRange | undefined)[]): Promise<NumericArray> {
    const selection = normalizeSelection(this.shape, ranges, this.path);
    const plan = planRuns(this.shape, this.order, this.storage.itemSize, selection);
    if (plan.totalBytes === 0) return allocateDecoded(this.dtype, 0);
    const raw = new Uint8Array(plan.totalBytes);
    await this.bytes.gather(plan, raw);
    let values = decodeElements(raw, this.storage, this.path);
    if (this.dtype !== this.storage.dtype) values = convertDecoded(values, this.dtype);
    return this.order === 'F' ? fortranToC(values, plan.shape, this.dtype) : values;
  }

  async close(): Promise<void> {
    await this.bytes.close();
  }
}

/** An in-memory array as an ArraySource (tests, small arrays, arrays from a pickle). */
export function memoryArraySource(
  path: string,
  values: NumericArray,
  shape: readonly number[],
  dtype: DType,
  order: StorageOrder = 'C',
): ArraySource {
  if (elementCount(shape) !== values.length) {
    throw new LabError(
      'bad-request',
      `${path}: ${values.length} values do not fill shape (${shape.join(', ')})`,
      'Pass values whose count is the product of the shape.',
    );
  }
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return new GatheredArraySource({
    path,
    shape,
    order,
    storage: { dtype: dtypeOfArray(values), itemSize: values.BYTES_PER_ELEMENT, littleEndian: true },
    dtype,
    bytes: new MemoryBytes(bytes),
    rowAccess: 'direct',
  });
}

/** The whole array, C order. */
export async function readWholeArray(source: ArraySource): Promise<NumericArray> {
  return source.readSlab([]);
}

/**
 * Visits the array in batches of rows (C order), `rowsPerBatch` at a time; for 'full-pass' sources pass a large
 * batch. Returns when all rows have been visited.
 */
export async function forEachRowBatch(
  source: ArraySource,
  rowsPerBatch: number,
  visit: (rows: NumericArray, firstRow: number, rowCount: number) => void | Promise<void>,
): Promise<void> {
  const rows = source.shape[0] ?? 1;
  if (!Number.isInteger(rowsPerBatch) || rowsPerBatch < 1) {
    throw new LabError('bad-request', `rowsPerBatch must be a positive integer, got ${rowsPerBatch}`, 'Pass 1 or more.');
  }
  for (let first = 0; first < rows; first += rowsPerBatch) {
    const count = Math.min(rowsPerBatch, rows - first);
    const batch = source.shape.length === 0 ? await source.readSlab([]) : await source.readRows(first, count);
    await visit(batch, first, count);
  }
}
