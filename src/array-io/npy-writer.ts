/**
 * Writes a C-order, little-endian .npy file (format 1.0, or 2.0 when the header needs it) row batch by row
 * batch, so that a stored dataset split never has to fit in memory. The lab stores every split this way:
 * readable back with openNpy in batches, and by numpy.load outside the lab.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';

/** float32 and int32: the lab's stored splits; float64: a CSV table spooled to disk before it is imported. */
export type StoredDType = 'float32' | 'int32' | 'float64';

const descrOf: Record<StoredDType, string> = { float32: '<f4', int32: '<i4', float64: '<f8' };

/** The bytes of a .npy header (magic, version, length, dict padded to a multiple of 64). */
export function npyHeaderBytes(dtype: StoredDType, shape: readonly number[]): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descrOf[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  for (const [version, lengthBytes] of [[1, 2], [2, 4]] as const) {
    const preamble = 6 + 2 + lengthBytes;
    const total = Math.ceil((preamble + dict.length + 1) / 64) * 64;
    const headerLength = total - preamble;
    if (version === 1 && headerLength > 0xffff) continue;
    const bytes = new Uint8Array(total);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
    const view = new DataView(bytes.buffer);
    if (lengthBytes === 2) view.setUint16(8, headerLength, true);
    else view.setUint32(8, headerLength, true);
    const text = dict.padEnd(headerLength - 1, ' ') + '\n';
    for (let i = 0; i < text.length; i++) bytes[preamble + i] = text.charCodeAt(i);
    return bytes;
  }
  throw new LabError('bad-request', `A .npy header for shape (${shape.join(', ')}) is too long.`);
}

export class NpyWriter {
  readonly path: string;
  readonly dtype: StoredDType;
  readonly shape: readonly number[];
  private readonly rowLength: number;
  private handle: FileHandle | null = null;
  private rowsWritten = 0;

  private constructor(path: string, dtype: StoredDType, shape: readonly number[]) {
    this.path = path;
    this.dtype = dtype;
    this.shape = [...shape];
    this.rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Creates the file (it must not exist) and writes the header for the final shape. */
  static async create(path: string, dtype: StoredDType, shape: readonly number[]): Promise<NpyWriter> {
    const writer = new NpyWriter(path, dtype, shape);
    writer.handle = await open(path, 'wx');
    await writer.handle.write(npyHeaderBytes(dtype, shape));
    return writer;
  }

  get rows(): number {
    return this.rowsWritten;
  }

  /** Appends whole rows, C order. */
  async append(values: Float32Array | Int32Array | Float64Array): Promise<void> {
    if (this.handle === null) throw new LabError('internal', `${this.path} is already closed.`);
    const expected = { float32: Float32Array, int32: Int32Array, float64: Float64Array }[this.dtype];
    if (!(values instanceof expected)) {
      throw new LabError('internal', `${this.path} stores ${this.dtype}; got ${values.constructor.name}.`);
    }
    if (values.length % Math.max(1, this.rowLength) !== 0) {
      throw new LabError('internal', `${this.path}: ${values.length} values are not whole rows of ${this.rowLength}.`);
    }
    const rows = this.rowLength === 0 ? 0 : values.length / this.rowLength;
    if (this.rowsWritten + rows > (this.shape[0] ?? 1)) {
      throw new LabError('internal', `${this.path}: more rows than the declared ${this.shape[0]}.`);
    }
    // .npy is little-endian here; so is every platform Node runs on that the lab supports.
    await this.handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    this.rowsWritten += rows;
  }

  /** Flushes to disk and closes; refuses a file with fewer rows than declared. */
  async finish(): Promise<void> {
    if (this.handle === null) return;
    const handle = this.handle;
    this.handle = null;
    try {
      if (this.rowsWritten !== (this.shape[0] ?? 1)) {
        throw new LabError('internal', `${this.path}: wrote ${this.rowsWritten} rows of the declared ${this.shape[0]}.`);
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** Closes without the row check (the caller is discarding the file). */
  async abandon(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}
