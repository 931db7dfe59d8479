/**
 * Element types of imported arrays and how their bytes decode into JavaScript typed arrays.
 *
 * Names follow numpy (`float32`, `int64`, `bool`). Decoding widens where JavaScript has no matching typed array:
 * float16 -> Float32Array (exact), int64/uint64 -> Float64Array (refused when a value is beyond 2^53, where a
 * double would silently round it), bool -> Uint8Array of 0/1.
 */
import { LabError } from '../shared/errors.ts';

export type DType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64';

/** What a decoded array is: every dtype decodes to one of these. */
export type NumericArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | Uint8Array
  | Uint16Array
  | Uint32Array;

/** How elements are laid out in a file: the dtype, its byte size and its byte order. */
export interface StorageType {
  dtype: DType;
  itemSize: number;
  littleEndian: boolean;
}

export const itemSizes: Readonly<Record<DType, number>> = {
  bool: 1,
  int8: 1,
  int16: 2,
  int32: 4,
  int64: 8,
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float16: 2,
  float32: 4,
  float64: 8,
};

export function storageType(dtype: DType, littleEndian = true): StorageType {
  return { dtype, itemSize: itemSizes[dtype], littleEndian };
}

/** A new, zero-filled array of the type `dtype` decodes to. */
export function allocateDecoded(dtype: DType, length: number): NumericArray {
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'int16':
      return new Int16Array(length);
    case 'uint16':
      return new Uint16Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'uint32':
      return new Uint32Array(length);
    case 'float16':
    case 'float32':
      return new Float32Array(length);
    case 'int64':
    case 'uint64':
    case 'float64':
      return new Float64Array(length);
  }
}

/**
 * Decodes `bytes` (a whole number of elements of `type`) into a typed array. `bytes` may be byte-swapped in place
 * when the storage is big-endian: pass a buffer the caller owns. `where` names the file for error messages.
 */
export function decodeElements(bytes: Uint8Array, type: StorageType, where: string): NumericArray {
  if (bytes.byteLength % type.itemSize !== 0) {
    throw new LabError(
      'bad-request',
      `${where}: ${bytes.byteLength} bytes is not a whole number of ${type.dtype} elements (${type.itemSize} bytes each)`,
      'The file is damaged or its header does not match its data; export the array again.',
    );
  }
  const length = bytes.byteLength / type.itemSize;
  if (!type.littleEndian && type.itemSize > 1) byteSwapInPlace(bytes, type.itemSize);
  // Typed-array views need aligned offsets; copy when the bytes sit at an odd place in a larger buffer.
  const aligned = bytes.byteOffset % type.itemSize === 0 ? bytes : new Uint8Array(bytes); // a copy, at offset 0
  const { buffer, byteOffset } = aligned;
  switch (type.dtype) {
    case 'bool': {
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = aligned[i] !== 0 ? 1 : 0;
      return out;
    }
    case 'uint8':
      return new Uint8Array(buffer, byteOffset, length);
    case 'int8':
      return new Int8Array(buffer, byteOffset, length);
    case 'int16':
      return new Int16Array(buffer, byteOffset, length);
    case 'uint16':
      return new Uint16Array(buffer, byteOffset, length);
    case 'int32':
      return new Int32Array(buffer, byteOffset, length);
    case 'uint32':
      return new Uint32Array(buffer, byteOffset, length);
    case 'float32':
      return new Float32Array(buffer, byteOffset, length);
    case 'float64':
      return new Float64Array(buffer, byteOffset, length);
    case 'float16':
      return decodeFloat16(new Uint16Array(buffer, byteOffset, length));
    case 'int64':
      return widenInt64(new BigInt64Array(buffer, byteOffset, length), where);
    case 'uint64':
      return widenInt64(new BigUint64Array(buffer, byteOffset, length), where);
  }
}

export function byteSwapInPlace(bytes: Uint8Array, itemSize: number): void {
  for (let i = 0; i < bytes.length; i += itemSize) {
    for (let a = i, b = i + itemSize - 1; a < b; a++, b--) {
      const t = bytes[a]!;
      bytes[a] = bytes[b]!;
      bytes[b] = t;
    }
  }
}

/** IEEE 754 half precision to single precision, exactly (every half is representable as a float). */
export function decodeFloat16(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halfToNumber(halves[i]!);
  return out;
}

export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal or zero
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const maxExactInteger = BigInt(Number.MAX_SAFE_INTEGER);

function widenInt64(values: BigInt64Array | BigUint64Array, where: string): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > maxExactInteger || v < -maxExactInteger) {
      throw new LabError(
        'bad-request',
        `${where}: 64-bit integer ${v} at element ${i} is beyond 2^53 and cannot be held exactly as a number`,
        'Store the array as float64, or as a smaller integer type, and import it again.',
      );
    }
    out[i] = Number(v);
  }
  return out;
}

/** Converts decoded values to the array type of another dtype (used where a file stores a class in a smaller type). */
export function convertDecoded(values: NumericArray, to: DType): NumericArray {
  if (to !== 'bool' && dtypeOfArray(values) === decodedDtypes[to]) return values;
  const out = allocateDecoded(to, values.length);
  if (to === 'bool') {
    for (let i = 0; i < values.length; i++) out[i] = values[i] !== 0 ? 1 : 0;
  } else {
    out.set(values);
  }
  return out;
}

/** The dtype a typed array holds natively. */
export function dtypeOfArray(values: NumericArray): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Float64Array) return 'float64';
  if (values instanceof Int8Array) return 'int8';
  if (values instanceof Int16Array) return 'int16';
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Uint16Array) return 'uint16';
  if (values instanceof Uint32Array) return 'uint32';
  return 'uint8';
}

/** The native dtype of the array each dtype decodes to. */
const decodedDtypes: Readonly<Record<DType, DType>> = {
  bool: 'uint8',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'float64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'float64',
  float16: 'float32',
  float32: 'float32',
  float64: 'float64',
};

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
