/**
 * numpy's .npz: a zip archive of .npy files, one per named array (`numpy.savez(path, x=..., y=...)` writes
 * `x.npy` and `y.npy`). Stored entries (numpy.savez) are read in place with positioned reads, like a .npy file.
 * Deflated entries (numpy.savez_compressed) up to 64 MiB are decompressed whole, their CRC checked; larger ones
 * are streamed from the start for each read, so they say `rowAccess: 'full-pass'`.
 *
 * The directory's sizes are checked before anything is read (zip.ts: a stored entry holds exactly its bytes, a
 * deflated one at most 1032 times them, none more than `maxDeclaredBytes`), and an entry is never decompressed
 * past the size the directory declares (streams.ts).
 */
import { LabError } from '../shared/errors.ts';
import type { ArraySource } from './array-source.ts';
import { FileBytes, StreamBytes, readFileRange } from './byte-runs.ts';
import { checkDataLength, npyFromBytes, npyHeaderLength, npyPreambleBytes, npySource, parseNpyHeader } from './npy.ts';
import { maxDeclaredBytes, skipBytes, streamPrefix } from './streams.ts';
import { entryDataOffset, readZipDirectory, readZipEntry, streamZipEntry, type ZipEntry } from './zip.ts';

/** Deflated entries up to this size are decompressed into memory once. */
export const npzInMemoryLimitBytes = 64 * 1024 * 1024;

export interface NpzArchive {
  readonly path: string;
  /** Array names, without the `.npy` suffix, in archive order. */
  readonly names: readonly string[];
  open(name: string): Promise<ArraySource>;
}

export interface NpzOptions {
  /** Deflated entries up to this many bytes are decompressed whole; larger ones are streamed (default 64 MiB). */
  inMemoryLimitBytes?: number;
  /** The most bytes one entry may declare (default `maxDeclaredBytes` of streams.ts, 8 GiB). */
  maxDeclaredBytes?: number;
}

export async function openNpz(path: string, options: NpzOptions = {}): Promise<NpzArchive> {
  const inMemoryLimit = options.inMemoryLimitBytes ?? npzInMemoryLimitBytes;
  const cap = options.maxDeclaredBytes ?? maxDeclaredBytes;
  const entries = await readZipDirectory(path);
  const arrays = new Map<string, ZipEntry>();
  for (const entry of entries) {
    if (entry.name.endsWith('/')) continue; // a directory
    arrays.set(entry.name.endsWith('.npy') ? entry.name.slice(0, -4) : entry.name, entry);
  }
  const names = [...arrays.keys()];
  return {
    path,
    names,
    async open(name: string): Promise<ArraySource> {
      const entry = arrays.get(name) ?? arrays.get(name.replace(/\.npy$/, ''));
      if (entry === undefined) {
        throw new LabError(
          'not-found',
          `${path}: no array named '${name}' (the archive holds ${names.map((n) => `'${n}'`).join(', ') || 'no arrays'})`,
          'Choose one of the arrays the archive holds.',
        );
      }
      return openEntry(path, entry, inMemoryLimit, cap);
    },
  };
}

async function openEntry(path: string, entry: ZipEntry, inMemoryLimit: number, cap: number): Promise<ArraySource> {
  const where = `${path}#${entry.name}`;
  if (entry.method === 8 && entry.uncompressedSize <= inMemoryLimit) {
    return npyFromBytes(await readZipEntry(path, entry, cap), where);
  }
  const dataOffset = await entryDataOffset(path, entry, cap);
  if (entry.method === 0) {
    const first = await readFileRange(path, dataOffset, Math.min(npyPreambleBytes, entry.uncompressedSize));
    const headerEnd = npyHeaderLength(first, where);
    const header = parseNpyHeader(await readFileRange(path, dataOffset, Math.min(headerEnd, entry.uncompressedSize)), where);
    checkDataLength(header, entry.uncompressedSize - header.dataOffset, where);
    return npySource(where, header, new FileBytes(path, dataOffset + header.dataOffset, header.dataLength), 'direct');
  }
  const head = await streamPrefix(streamZipEntry(path, entry, dataOffset), npyPreambleBytes);
  const headerEnd = npyHeaderLength(head, where);
  const header = parseNpyHeader(await streamPrefix(streamZipEntry(path, entry, dataOffset), headerEnd), where);
  checkDataLength(header, entry.uncompressedSize - header.dataOffset, where);
  const openData = (): AsyncIterable<Uint8Array> => skipBytes(streamZipEntry(path, entry, dataOffset), header.dataOffset);
  return npySource(where, header, new StreamBytes(where, header.dataLength, openData), 'full-pass');
}
