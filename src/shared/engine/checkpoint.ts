/**
 * A run's checkpoint as values and as bytes: the pipeline state (pipeline-state.ts) plus named float32/int32
 * arrays. Plain typed arrays, no TF.js, so the lab core reads and exports checkpoints without loading the
 * numerics; the engine turns variables into these arrays and back (worker/engine/search/checkpoint-tensors.ts).
 *
 * `encodeCheckpoint` / `decodeCheckpoint` make one self-describing byte array for disk:
 *   "PDCK" | u32 version | u32 header bytes | header (UTF-8 JSON) | zero padding to 8 | tensor data (little-endian)
 */
import type { PipelineState } from './pipeline-state.ts';

export const CHECKPOINT_FORMAT = 'pdash-engine-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointTensor {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface RunCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  seed: number;
  configHash: string;
  state: PipelineState;
  tensors: CheckpointTensor[];
}

/** Entries under `prefix/`, with the prefix removed. */
export function entriesUnder(tensors: readonly CheckpointTensor[], prefix: string): CheckpointTensor[] {
  const p = `${prefix}/`;
  return tensors.filter((t) => t.name.startsWith(p)).map((t) => ({ ...t, name: t.name.slice(p.length) }));
}

const MAGIC = [0x50, 0x44, 0x43, 0x4b]; // "PDCK"

function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('checkpoint: big-endian platforms are not supported');
}

interface HeaderTensor {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  offset: number;
  length: number;
}

export function encodeCheckpoint(checkpoint: RunCheckpoint): Uint8Array {
  assertLittleEndian();
  let offset = 0;
  const index: HeaderTensor[] = checkpoint.tensors.map((t) => {
    const entry = { name: t.name, dtype: t.dtype, shape: t.shape, offset, length: t.data.length };
    offset += t.data.length * 4;
    return entry;
  });
  const header = new TextEncoder().encode(
    JSON.stringify({ format: checkpoint.format, version: checkpoint.version, seed: checkpoint.seed, configHash: checkpoint.configHash, state: checkpoint.state, tensors: index }),
  );
  const dataStart = Math.ceil((12 + header.length) / 8) * 8;
  const out = new Uint8Array(dataStart + offset);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, CHECKPOINT_VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  checkpoint.tensors.forEach((t, i) => out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), dataStart + index[i]!.offset));
  return out;
}

/**
 * Decodes checkpoint bytes, checking everything the layout promises before trusting it: a damaged file (cut
 * short by a full disk or a bad copy, or overwritten) is refused with what is wrong and at which byte, never
 * read past its end or half-restored. Messages start with "checkpoint:"; callers add the file's path.
 */
export function decodeCheckpoint(bytes: Uint8Array): RunCheckpoint {
  assertLittleEndian();
  const prefix = Math.min(bytes.length, MAGIC.length);
  if (MAGIC.slice(0, prefix).some((b, i) => bytes[i] !== b)) throw new Error('checkpoint: not a P-DASH engine checkpoint (bad magic bytes)');
  if (bytes.length < 12) throw new Error(`checkpoint: truncated: the file has ${bytes.length} bytes, fewer than the 12 of its fixed header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== CHECKPOINT_VERSION) throw new Error(`checkpoint: format version ${version} is not supported (expected ${CHECKPOINT_VERSION})`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw new Error(`checkpoint: truncated header: it needs bytes 12 to ${12 + headerLength}, the file has ${bytes.length}`);
  let header: Omit<RunCheckpoint, 'tensors'> & { tensors: HeaderTensor[] };
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength))) as typeof header;
  } catch {
    throw new Error(`checkpoint: the header (bytes 12 to ${12 + headerLength}) is not valid UTF-8 JSON`);
  }
  if (typeof header !== 'object' || header === null || header.format !== CHECKPOINT_FORMAT) throw new Error(`checkpoint: unexpected format ${String((header as { format?: unknown } | null)?.format)}`);
  if (typeof header.state !== 'object' || header.state === null || typeof header.state.phase !== 'string' || !Array.isArray(header.tensors)) {
    throw new Error('checkpoint: the header has no pipeline state or no tensor list');
  }
  const dataStart = Math.ceil((12 + headerLength) / 8) * 8;
  let expected = dataStart;
  for (const t of header.tensors) {
    const valid =
      typeof t === 'object' && t !== null && typeof t.name === 'string' && (t.dtype === 'float32' || t.dtype === 'int32') &&
      Array.isArray(t.shape) && t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
      Number.isSafeInteger(t.offset) && t.offset >= 0 && t.offset % 4 === 0 && Number.isSafeInteger(t.length) && t.length >= 0 &&
      t.shape.reduce((a, d) => a * d, 1) === t.length;
    if (!valid) throw new Error(`checkpoint: the header's entry for tensor ${JSON.stringify(typeof t === 'object' && t !== null ? t.name : t)} is malformed`);
    expected = Math.max(expected, dataStart + t.offset + t.length * 4);
  }
  if (bytes.length < expected) throw new Error(`checkpoint: truncated: the file has ${bytes.length} bytes, its header describes ${expected}`);
  if (bytes.length > expected) throw new Error(`checkpoint: ${bytes.length - expected} unexpected bytes after the ${expected} its header describes`);
  const tensors = header.tensors.map((t): CheckpointTensor => {
    const start = dataStart + t.offset;
    const raw = bytes.slice(start, start + t.length * 4);
    const data = t.dtype === 'float32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
    return { name: t.name, dtype: t.dtype, shape: t.shape, data };
  });
  return { format: CHECKPOINT_FORMAT, version, seed: header.seed, configHash: header.configHash, state: header.state, tensors };
}
