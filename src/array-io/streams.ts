/**
 * Byte streams over parts of a file: raw, or decompressed on the fly (zlib for MAT v5 elements, raw deflate for
 * zip entries), and helpers to take a stream's first bytes or skip them.
 *
 * Decompression never trusts the file: a compressed part is decompressed only up to the size its header declares
 * (zlib's `maxOutputLength` for whole parts, a running count for streams), and producing more or fewer bytes than
 * declared is an error naming the file and the part. Declared sizes are checked before anything is decompressed
 * (`checkDeclaredSize`): deflate cannot expand more than 1032:1, so a part that declares more than 1032 times its
 * compressed size lies, and no part may declare more than a cap (`maxDeclaredBytes`, 8 GiB by default; readers
 * take it as an option). These bounds are what keeps a 1.5 MB archive from taking gigabytes (issue #10).
 */
import { createReadStream } from 'node:fs';
import { createInflate, createInflateRaw, inflateRawSync, inflateSync } from 'node:zlib';
import { LabError } from '../shared/errors.ts';

export type Compression = 'none' | 'zlib' | 'deflate-raw';

/** Deflate's largest possible expansion: a 258-byte match coded in 2 bits (RFC 1951). */
export const maxDeflateRatio = 1032;

/**
 * The default cap on what one array (a zip entry, a MAT variable, an HDF5 dataset) may declare: 8 GiB, over five
 * times DarcyFlow's largest variable (1024 x 421 x 421 doubles, 1.45 GB). Readers take `maxDeclaredBytes` to
 * change it.
 */
export const maxDeclaredBytes = 8 * 1024 ** 3;

/**
 * Refuses a compressed part whose declared (uncompressed) size deflate cannot produce from its compressed bytes,
 * or that passes the cap; `what` names the part ("entry 'x.npy'", "variable 'coeff'").
 */
export function checkDeclaredSize(path: string, what: string, declared: number, compressed: number, cap: number): void {
  if (!Number.isSafeInteger(declared) || declared < 0) {
    throw new LabError('bad-request', `${path}: ${what} declares an impossible size (${declared} bytes)`, damagedHint);
  }
  if (declared > compressed * maxDeflateRatio) {
    throw new LabError(
      'bad-request',
      `${path}: ${what} declares ${declared} bytes from ${compressed} compressed bytes, more than deflate can produce (at most ${maxDeflateRatio} times); the header lies`,
      damagedHint,
    );
  }
  checkCap(path, what, declared, cap);
}

/** Refuses a declared size over the cap. */
export function checkCap(path: string, what: string, declared: number, cap: number): void {
  if (declared > cap) {
    throw new LabError(
      'bad-request',
      `${path}: ${what} declares ${declared} bytes, over the ${cap}-byte limit for one array`,
      'Split the data into smaller arrays, or raise the maxDeclaredBytes limit if the file is trusted.',
    );
  }
}

const damagedHint = 'The file is damaged, truncated or deliberately malformed; copy or export it again.';

/** Decompresses a whole part that must hold exactly `declared` bytes; never produces more than that. */
export function inflateExactly(path: string, what: string, compressed: Uint8Array, compression: 'zlib' | 'deflate-raw', declared: number): Uint8Array {
  let out: Uint8Array;
  try {
    // One byte over the declared size is enough to know the header lies.
    const options = { maxOutputLength: declared + 1 };
    out = new Uint8Array(compression === 'zlib' ? inflateSync(compressed, options) : inflateRawSync(compressed, options));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLong(path, what, declared);
    throw new LabError('bad-request', `${path}: ${what} cannot be decompressed (${(error as Error).message})`, damagedHint);
  }
  if (out.length !== declared) throw tooShort(path, what, out.length, declared);
  return out;
}

function tooLong(path: string, what: string, declared: number): LabError {
  return new LabError('bad-request', `${path}: ${what} decompresses to more than the ${declared} bytes its header declares`, damagedHint);
}

function tooShort(path: string, what: string, got: number, declared: number): LabError {
  return new LabError('bad-request', `${path}: ${what} decompresses to ${got} bytes, but its header declares ${declared}`, damagedHint);
}

/**
 * The bytes [offset, offset + length) of a file, decompressed if asked. A decompressed stream must produce
 * exactly `declared` bytes: it stops with an error as soon as it passes them, and at its end if it falls short.
 * Stopping early (break, return, throw) closes the file and the decompressor.
 */
export async function* fileRangeStream(
  path: string,
  offset: number,
  length: number,
  compression: Compression,
  what: string,
  declared?: number,
): AsyncGenerator<Uint8Array> {
  if (length === 0) return;
  const raw = createReadStream(path, { start: offset, end: offset + length - 1 });
  if (compression === 'none') {
    try {
      for await (const chunk of raw) yield chunk as Buffer;
    } catch (error) {
      throw readFailed(path, what, error);
    } finally {
      raw.destroy();
    }
    return;
  }
  const inflate = compression === 'zlib' ? createInflate() : createInflateRaw();
  raw.on('error', (error) => inflate.destroy(error));
  raw.pipe(inflate);
  let produced = 0;
  try {
    for await (const chunk of inflate) {
      const bytes = chunk as Buffer;
      produced += bytes.length;
      if (declared !== undefined && produced > declared) {
        // Hand out what was declared, then refuse the rest: the caller may not need to reach the lie.
        const allowed = bytes.length - (produced - declared);
        if (allowed > 0) yield bytes.subarray(0, allowed);
        throw tooLong(path, what, declared);
      }
      yield bytes;
    }
  } catch (error) {
    if (error instanceof LabError) throw error;
    throw new LabError('bad-request', `${path}: ${what} cannot be decompressed (${(error as Error).message})`, damagedHint);
  } finally {
    raw.destroy();
    inflate.destroy();
  }
  if (declared !== undefined && produced < declared) throw tooShort(path, what, produced, declared);
}

function readFailed(path: string, what: string, error: unknown): LabError {
  if (error instanceof LabError) return error;
  return new LabError('bad-request', `${path}: ${what} cannot be read (${(error as Error).message})`, damagedHint);
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
