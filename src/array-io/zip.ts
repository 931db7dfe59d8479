/**
 * Just enough of the zip format to read numpy's .npz archives: the central directory (with zip64 where an archive
 * or an entry passes 4 GiB or 65,535 entries, and where numpy forces zip64 extras), stored and deflated entries.
 * https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 */
import { stat } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { LabError } from '../shared/errors.ts';
import { readFileRange } from './byte-runs.ts';
import { printable } from './printable.ts';
import { checkCap, checkDeclaredSize, fileRangeStream, inflateExactly } from './streams.ts';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  crc32: number;
  localHeaderOffset: number;
}

const eocdSignature = 0x06054b50;
const zip64LocatorSignature = 0x07064b50;
const zip64EocdSignature = 0x06064b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;

export async function readZipDirectory(path: string): Promise<ZipEntry[]> {
  const size = (await stat(path)).size;
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readFileRange(path, size - tailLength, tailLength);
  const tailView = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === eocdSignature) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw new LabError(
      'bad-request',
      `${path}: not a zip archive (no end-of-central-directory record); .npz files are zip archives`,
      'Save the arrays with numpy.savez or numpy.savez_compressed, or check that the download finished.',
    );
  }
  let entryCount = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let directoryOffset = tailView.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tailView.getUint32(locator, true) !== zip64LocatorSignature) {
      throw damaged(path, 'the zip64 end-of-central-directory locator is missing');
    }
    const recordOffset = uint64(tailView, locator + 8, path);
    if (recordOffset + 56 > size) throw damaged(path, 'the zip64 end-of-central-directory record lies beyond the end of the file');
    const record = await readFileRange(path, recordOffset, 56);
    const recordView = view(record);
    if (recordView.getUint32(0, true) !== zip64EocdSignature) throw damaged(path, 'the zip64 end-of-central-directory record is missing');
    entryCount = uint64(recordView, 32, path);
    directorySize = uint64(recordView, 40, path);
    directoryOffset = uint64(recordView, 48, path);
  }
  if (directoryOffset + directorySize > size) throw damaged(path, 'the central directory lies beyond the end of the file');
  const directory = await readFileRange(path, directoryOffset, directorySize);
  return parseCentralDirectory(directory, entryCount, path);
}

function parseCentralDirectory(directory: Uint8Array, entryCount: number, path: string): ZipEntry[] {
  const dv = view(directory);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < entryCount; i++) {
    if (p + 46 > directory.length || dv.getUint32(p, true) !== centralSignature) {
      throw damaged(path, `central directory entry ${i} is missing or damaged`);
    }
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let uncompressedSize = dv.getUint32(p + 24, true);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    if (p + 46 + nameLength + extraLength + commentLength > directory.length) {
      throw damaged(path, `central directory entry ${i} runs past the end of the directory`);
    }
    const nameBytes = directory.subarray(p + 46, p + 46 + nameLength);
    // Bit 11: the name is UTF-8; otherwise code page 437, which agrees with latin1 on the ASCII names numpy writes.
    // Control characters would break the messages that name the entry; numpy's names never hold them.
    const name = printable(new TextDecoder(flags & 0x800 ? 'utf-8' : 'latin1').decode(nameBytes), 200);
    // The zip64 extra field holds, in this order, each of the three that the fixed fields mark with 0xffffffff.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const length = dv.getUint16(e + 2, true);
      if (e + 4 + length > extraEnd) throw damaged(path, `central directory entry ${i}: an extra field runs past its entry`);
      if (id === 0x0001) {
        let f = e + 4;
        const fieldEnd = e + 4 + length;
        const need = (uncompressedSize === 0xffffffff ? 8 : 0) + (compressedSize === 0xffffffff ? 8 : 0) + (localHeaderOffset === 0xffffffff ? 8 : 0);
        if (f + need > fieldEnd) throw damaged(path, `central directory entry ${i}: its zip64 extra field is too short`);
        if (uncompressedSize === 0xffffffff) {
          uncompressedSize = uint64(dv, f, path);
          f += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = uint64(dv, f, path);
          f += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = uint64(dv, f, path);
      }
      e += 4 + length;
    }
    if (flags & 0x1) {
      throw new LabError(
        'bad-request',
        `${path}: entry '${name}' is encrypted`,
        'Save the archive without a password (numpy.savez never encrypts).',
      );
    }
    entries.push({ name, method, compressedSize, uncompressedSize, crc32: crc, localHeaderOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

/**
 * Where an entry's (possibly compressed) bytes start: after its local header, whose lengths can differ from the
 * directory's. Also checks, before anything is read or decompressed, that the entry's bytes lie inside the file
 * and that its declared size is one it can hold: a stored entry holds exactly its bytes, a deflated one at most
 * 1032 times them (streams.ts), and none more than `cap`.
 */
export async function entryDataOffset(path: string, entry: ZipEntry, cap: number): Promise<number> {
  const size = (await stat(path)).size;
  if (entry.localHeaderOffset + 30 > size) throw damaged(path, `the local header of entry '${entry.name}' lies beyond the end of the file`);
  const local = await readFileRange(path, entry.localHeaderOffset, 30);
  const dv = view(local);
  if (dv.getUint32(0, true) !== localSignature) throw damaged(path, `the local header of entry '${entry.name}' is missing`);
  const dataOffset = entry.localHeaderOffset + 30 + dv.getUint16(26, true) + dv.getUint16(28, true);
  if (dataOffset + entry.compressedSize > size) {
    throw damaged(path, `entry '${entry.name}' says it has ${entry.compressedSize} bytes at byte ${dataOffset}, but the file ends at byte ${size}`);
  }
  checkMethod(path, entry);
  const what = `entry '${entry.name}'`;
  if (entry.method === 0) {
    if (entry.uncompressedSize !== entry.compressedSize) {
      throw damaged(path, `stored entry '${entry.name}' declares ${entry.uncompressedSize} bytes but holds ${entry.compressedSize}`);
    }
    checkCap(path, what, entry.uncompressedSize, cap);
  } else {
    checkDeclaredSize(path, what, entry.uncompressedSize, entry.compressedSize, cap);
  }
  return dataOffset;
}

function checkMethod(path: string, entry: ZipEntry): void {
  if (entry.method !== 0 && entry.method !== 8) {
    throw new LabError(
      'bad-request',
      `${path}: entry '${entry.name}' uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`,
      'Save the arrays with numpy.savez or numpy.savez_compressed.',
    );
  }
}

/** An entry's uncompressed bytes, whole (never more than the directory declares), with its size and CRC-32 checked. */
export async function readZipEntry(path: string, entry: ZipEntry, cap: number): Promise<Uint8Array> {
  const start = await entryDataOffset(path, entry, cap);
  const stored = await readFileRange(path, start, entry.compressedSize);
  const bytes = entry.method === 0 ? stored : inflateExactly(path, `entry '${entry.name}'`, stored, 'deflate-raw', entry.uncompressedSize);
  if ((crc32(bytes) >>> 0) !== entry.crc32) throw damaged(path, `entry '${entry.name}' fails its CRC-32 check`);
  return bytes;
}

/**
 * An entry's uncompressed bytes as a stream from its start (for entries too large to decompress whole); it ends
 * with an error if the entry decompresses to more or fewer bytes than the directory declares.
 */
export function streamZipEntry(path: string, entry: ZipEntry, dataOffset: number): AsyncGenerator<Uint8Array> {
  checkMethod(path, entry);
  const compression = entry.method === 0 ? 'none' : 'deflate-raw';
  return fileRangeStream(path, dataOffset, entry.compressedSize, compression, `zip entry '${entry.name}'`, entry.uncompressedSize);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function uint64(dv: DataView, offset: number, path: string): number {
  const value = dv.getBigUint64(offset, true);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged(path, `a 64-bit size or offset (${value}) is out of range`);
  return Number(value);
}

function damaged(path: string, problem: string): LabError {
  return new LabError('bad-request', `${path}: damaged zip archive: ${problem}`, 'Check that the file was copied or downloaded completely, and save it again if not.');
}
