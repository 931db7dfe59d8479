import { writeFileSync } from 'node:fs';

/**
 * A reference .npy writer for tests, independent of the lab's own reader and writer: little-endian, C order,
 * format 1.0.
 */
export function writeNpyFile(path: string, descr: '<f4' | '<f8' | '<i4' | '<i8' | '|u1', shape: readonly number[], data: ArrayBufferView): string {
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const headerLength = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = Buffer.alloc(10 + headerLength, 0x20);
  header.write('\x93NUMPY', 0, 'latin1');
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(headerLength, 8);
  header.write(dict, 10, 'latin1');
  header[10 + headerLength - 1] = 0x0a;
  writeFileSync(path, Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
  return path;
}
