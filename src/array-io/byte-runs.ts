/**
 * Where an array's bytes come from: memory, positioned reads of a file, or a stream that can only be read from the
 * start (a compressed zip entry or MAT element). Each gathers a run plan (slab.ts) into one output buffer.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';
import type { RunPlan } from './slab.ts';

export interface ByteRunReader {
  /** Copies the planned runs, in order, into `out` (plan.totalBytes long). */
  gather(plan: RunPlan, out: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class MemoryBytes implements ByteRunReader {
  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  async gather(plan: RunPlan, out: Uint8Array): Promise<void> {
    const { offsets, runLength } = plan;
    for (let i = 0, dst = 0; i < offsets.length; i++, dst += runLength) {
      const start = offsets[i]!;
      out.set(this.bytes.subarray(start, start + runLength), dst);
    }
  }

  async close(): Promise<void> {}
}

/** Runs closer than this are read with one read (the gap is cheaper to read than another system call). */
const maxGapBytes = 64 * 1024;
/** The largest single read. */
const maxSpanBytes = 16 * 1024 * 1024;
/** Reads in flight at once (libuv's thread pool has 4 threads by default). */
const readsInFlight = 4;

/** Positioned reads of the bytes [dataOffset, dataOffset + dataLength) of a file. */
export class FileBytes implements ByteRunReader {
  readonly path: string;
  readonly dataOffset: number;
  readonly dataLength: number;
  private handle: FileHandle | null = null;

  constructor(path: string, dataOffset: number, dataLength: number) {
    this.path = path;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
  }

  async gather(plan: RunPlan, out: Uint8Array): Promise<void> {
    const { offsets, runLength } = plan;
    if (offsets.length === 0 || runLength === 0) return;
    const last = offsets[offsets.length - 1]! + runLength;
    if (last > this.dataLength) {
      throw new LabError(
        'bad-request',
        `${this.path}: a read reaches byte ${this.dataOffset + last} but the array's data ends at byte ${this.dataOffset + this.dataLength}`,
        'The file is truncated or its header is wrong; copy or export it again.',
      );
    }
    this.handle ??= await open(this.path, 'r');
    const handle = this.handle;
    const spans = coalesce(offsets, runLength);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < spans.length) {
        const span = spans[next++]!;
        const length = span.end - span.start;
        const buffer = span.runCount === 1 ? out.subarray(span.firstOut, span.firstOut + length) : new Uint8Array(length);
        await readFully(handle, buffer, this.dataOffset + span.start, this.path);
        if (span.runCount === 1) continue;
        for (let r = 0; r < span.runCount; r++) {
          const from = offsets[span.firstRun + r]! - span.start;
          out.set(buffer.subarray(from, from + runLength), span.firstOut + r * runLength);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(readsInFlight, spans.length) }, worker));
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

interface Span {
  start: number;
  end: number;
  firstRun: number;
  runCount: number;
  firstOut: number;
}

function coalesce(offsets: Float64Array, runLength: number): Span[] {
  const spans: Span[] = [];
  let current: Span | null = null;
  for (let i = 0; i < offsets.length; i++) {
    const start = offsets[i]!;
    const end = start + runLength;
    if (current !== null && start - current.end <= maxGapBytes && end - current.start <= maxSpanBytes) {
      current.end = end;
      current.runCount++;
    } else {
      current = { start, end, firstRun: i, runCount: 1, firstOut: i * runLength };
      spans.push(current);
    }
  }
  return spans;
}

async function readFully(handle: FileHandle, buffer: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) {
      throw new LabError(
        'bad-request',
        `${path}: unexpected end of file at byte ${position + done} (needed ${buffer.length - done} more bytes)`,
        'The file is truncated; copy or download it again.',
      );
    }
    done += bytesRead;
  }
}

/** Reads `length` bytes at `position` of a file (an error names the file if it is shorter). */
export async function readFileRange(path: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = new Uint8Array(length);
    await readFully(handle, buffer, position, path);
    return buffer;
  } finally {
    await handle.close();
  }
}

/**
 * A byte stream that can only be read from its start: each gather makes one pass, copying the planned runs as
 * they stream past and stopping after the last one. `open` starts a fresh stream of the array's data bytes.
 */
export class StreamBytes implements ByteRunReader {
  readonly path: string;
  readonly dataLength: number;
  private readonly openStream: () => AsyncIterable<Uint8Array>;

  constructor(path: string, dataLength: number, openStream: () => AsyncIterable<Uint8Array>) {
    this.path = path;
    this.dataLength = dataLength;
    this.openStream = openStream;
  }

  async gather(plan: RunPlan, out: Uint8Array): Promise<void> {
    const { offsets, runLength } = plan;
    if (offsets.length === 0 || runLength === 0) return;
    let run = 0; // the run being filled
    let position = 0; // stream position of chunk[0]
    // Leaving the loop early (return or throw) ends the stream through its iterator's return().
    for await (const chunk of this.openStream()) {
      const chunkEnd = position + chunk.length;
      while (run < offsets.length) {
        const runStart = offsets[run]!;
        const runEnd = runStart + runLength;
        if (runStart >= chunkEnd) break;
        const from = Math.max(runStart, position);
        const to = Math.min(runEnd, chunkEnd);
        if (to > from) out.set(chunk.subarray(from - position, to - position), run * runLength + (from - runStart));
        if (runEnd <= chunkEnd) run++;
        else break;
      }
      position = chunkEnd;
      if (run === offsets.length) return;
    }
    throw new LabError(
      'bad-request',
      `${this.path}: the data ends after ${position} bytes but the array needs ${offsets[offsets.length - 1]! + runLength}`,
      'The file is truncated or damaged; copy or export it again.',
    );
  }

  async close(): Promise<void> {}
}
