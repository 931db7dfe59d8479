/**
 * Byte streams over parts of a file: raw, or decompressed on the fly (zlib for MAT v5 elements, raw deflate for
 * zip entries), and helpers to take a stream's first bytes or skip them.
 */
import { createReadStream } from 'node:fs';
import { createInflate, createInflateRaw } from 'node:zlib';
import { LabError } from '../../../../shared/errors.ts';

export type Compression = 'none' | 'zlib' | 'deflate-raw';

/**
 * The bytes [offset, offset + length) of a file, decompressed if asked. Stopping early (break, return, throw)
 * closes the file and the decompressor.
 */
export async function* fileRangeStream(
  path: string,
  offset: number,
  length: number,
  compression: Compression,
  what: string,
): AsyncGenerator<Uint8Array> {
  if (length === 0) return;
  const raw = createReadStream(path, { start: offset, end: offset + length - 1 });
  if (compression === 'none') {
    try {
      for await (const chunk of raw) yield chunk as Buffer;
    } finally {
      raw.destroy();
    }
    return;
  }
  const inflate = compression === 'zlib' ? createInflate() : createInflateRaw();
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  try {
    for await (const chunk of inflate) yield chunk as Buffer;
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError(
      'bad-request',
      `${path}: ${what} cannot be decompressed (${(error as Error).message})`,
      'The file is damaged or truncated; copy or export it again.',
    );
  } finally {
    raw.destroy();
    inflate.destroy();
  }
}

/** The first `length` bytes of a stream (fewer if it is shorter); the rest is never produced. */
export async function streamPrefix(stream: AsyncIterable<Uint8Array>, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let filled = 0;
  if (length === 0) return out;
  for await (const chunk of stream) {
    const take = Math.min(chunk.length, length - filled);
    out.set(chunk.subarray(0, take), filled);
    filled += take;
    if (filled === length) break;
  }
  return out.subarray(0, filled);
}

/** A stream without its first `skip` bytes. */
export async function* skipBytes(stream: AsyncIterable<Uint8Array>, skip: number): AsyncGenerator<Uint8Array> {
  let left = skip;
  for await (const chunk of stream) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}
