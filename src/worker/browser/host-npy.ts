/**
 * A stored .npy array read through the host (host-link.ts): the header with one small range read, rows with range
 * reads of just their bytes, so the page never holds a copy of a dataset it streams. array-io's own .npy reader
 * opens files with Node; this one reuses its header parser and its ArraySource, over ranges instead.
 */
import { checkDataLength, npyHeaderLength, npyMaxHeaderBytes, npyPreambleBytes, npySource, parseNpyHeader, type ArraySource, type ByteRunReader, type RunPlan } from '../../array-io/index.ts';
import { LabError } from '../../shared/errors.ts';
import type { HostLink } from './host-link.ts';

/** Runs closer than this are fetched with one request (as array-io's FileBytes coalesces reads). */
const MAX_GAP_BYTES = 64 * 1024;
const MAX_SPAN_BYTES = 16 * 1024 * 1024;

class HostBytes implements ByteRunReader {
  private readonly link: HostLink;
  private readonly file: string;
  private readonly dataOffset: number;
  private readonly dataLength: number;

  constructor(link: HostLink, file: string, dataOffset: number, dataLength: number) {
    this.link = link;
    this.file = file;
    this.dataOffset = dataOffset;
    this.dataLength = dataLength;
  }

  async gather(plan: RunPlan, out: Uint8Array): Promise<void> {
    const { offsets, runLength } = plan;
    if (offsets.length === 0 || runLength === 0) return;
    if (offsets[offsets.length - 1]! + runLength > this.dataLength) {
      throw new LabError('bad-request', `${this.file}: a read reaches past the array's data (${this.dataLength} bytes)`, 'The file is truncated or its header is wrong; import the dataset again.');
    }
    let first = 0;
    while (first < offsets.length) {
      let last = first;
      while (last + 1 < offsets.length && offsets[last + 1]! - (offsets[last]! + runLength) <= MAX_GAP_BYTES && offsets[last + 1]! + runLength - offsets[first]! <= MAX_SPAN_BYTES) last += 1;
      const start = offsets[first]!;
      const bytes = await this.link.readRange(this.file, this.dataOffset + start, offsets[last]! + runLength - start);
      for (let r = first; r <= last; r++) {
        const from = offsets[r]! - start;
        out.set(bytes.subarray(from, from + runLength), r * runLength);
      }
      first = last + 1;
    }
  }

  async close(): Promise<void> {}
}

export async function openHostNpy(link: HostLink, file: string): Promise<ArraySource> {
  const size = await link.fileSize(file);
  const preamble = await link.readRange(file, 0, Math.min(size, npyPreambleBytes));
  const headerEnd = npyHeaderLength(preamble, file);
  if (headerEnd > size || headerEnd > npyPreambleBytes + npyMaxHeaderBytes) {
    throw new LabError('bad-request', `${file}: truncated: its .npy header needs ${headerEnd} bytes, the file has ${size}`, 'Import the dataset again.');
  }
  const header = parseNpyHeader(await link.readRange(file, 0, headerEnd), file);
  checkDataLength(header, size - header.dataOffset, file);
  return npySource(file, header, new HostBytes(link, file, header.dataOffset, header.dataLength), 'direct');
}
