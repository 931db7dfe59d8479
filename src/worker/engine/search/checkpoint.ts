/**
 * Checkpoints: where a run stands at an epoch boundary (a JSON pipeline state) plus the tensors needed to continue
 * exactly (network variables, optimiser momentum, the best-on-validation weights). Random streams are derived
 * from (seed, phase, epoch) labels, so no generator state needs saving.
 *
 * The engine hands checkpoints to its caller as objects; `encodeCheckpoint` / `decodeCheckpoint` turn them into
 * one self-describing byte array for disk:
 *   "PDCK" | u32 version | u32 header bytes | header (UTF-8 JSON) | zero padding to 8 | tensor data (little-endian)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ArchitectureSpec, HpChoice, KernelPattern, LayerSearchSpaces } from '../../../shared/engine/index.ts';
import type { NamedVariable } from '../backbones/network.ts';
import type { NamedTensor } from '../train/sgd.ts';

export const CHECKPOINT_FORMAT = 'pdash-engine-checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointTensor {
  name: string;
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/**
 * Supernet search (a P-DASH round when `round` is set); `nextEpoch` epochs of it are done. Tensors: `net/` and
 * `opt/` mid-search; at the start of a P-DASH round after the first, `carry/`: the surviving weights.
 */
export interface SearchState {
  phase: 'search';
  round: number | null;
  spaces: LayerSearchSpaces;
  nextEpoch: number;
}

/** One layer fixed by perturbation-based selection: its candidates' damage scores when it was decided. */
export interface LayerDecision {
  layer: number;
  /** Candidates in the layer's order, with metric and loss damage (null: not finite). */
  scores: { kernel: number; dilation: number; damage: number | null; lossDamage: number | null }[];
  chosen: number;
}

/**
 * Perturbation-based selection in progress (DARTS-PT): layers are fixed in `order`; the first `next` are done
 * (their `spaces` entry is the chosen pattern alone). Tensors: `net/`, the fine-tuned supernet.
 */
export interface SelectState {
  phase: 'select';
  round: number | null;
  spaces: LayerSearchSpaces;
  order: number[];
  next: number;
  decisions: LayerDecision[];
}

/** A random-baseline candidate that has been trained and scored. */
export interface RandomCandidateRecord {
  layers: KernelPattern[];
  /** Validation metric, or null when its training diverged. */
  value: number | null;
  flops: number;
}

/** The random baseline: `done` candidates of `count` are trained and scored (no tensors between candidates). */
export interface RandomSearchState {
  phase: 'random-search';
  count: number;
  done: RandomCandidateRecord[];
}

export interface HpTrialRecord {
  trial: number;
  hp: HpChoice;
  /** Validation metric after the trial, or null when it diverged. */
  value: number | null;
  diverged: boolean;
}

/** HP search on the chosen architecture; `current` is the trial in progress (absent between trials). */
export interface HpSearchState {
  phase: 'hp-search';
  spec: ArchitectureSpec;
  trials: HpTrialRecord[];
  current: { trial: number; nextEpoch: number } | null;
}

export interface RetrainState {
  phase: 'retrain';
  spec: ArchitectureSpec;
  hp: HpChoice;
  hpValidation: number | null;
  nextEpoch: number;
  /** Best validation value so far and its epoch (its weights are stored under `best/`). */
  best: { value: number; epoch: number } | null;
}

export type PipelineState = SearchState | SelectState | RandomSearchState | HpSearchState | RetrainState;

export interface RunCheckpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  seed: number;
  configHash: string;
  state: PipelineState;
  tensors: CheckpointTensor[];
}

/** Copies of variables' values under `prefix/` + name. */
export function snapshotVariables(variables: readonly NamedVariable[], prefix: string): CheckpointTensor[] {
  return variables.map((v) => tensorEntry(`${prefix}/${v.name}`, v.variable));
}

export function snapshotTensors(tensors: readonly NamedTensor[], prefix: string): CheckpointTensor[] {
  return tensors.map((t) => tensorEntry(`${prefix}/${t.name}`, t.tensor));
}

function tensorEntry(name: string, t: tf.Tensor): CheckpointTensor {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`checkpoint: ${name} has dtype ${t.dtype}; only float32 and int32 are stored`);
  const data = t.dataSync();
  return { name, dtype: t.dtype, shape: [...t.shape], data: t.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data) };
}

/** Entries under `prefix/`, with the prefix removed. */
export function entriesUnder(tensors: readonly CheckpointTensor[], prefix: string): CheckpointTensor[] {
  const p = `${prefix}/`;
  return tensors.filter((t) => t.name.startsWith(p)).map((t) => ({ ...t, name: t.name.slice(p.length) }));
}

/** Assigns stored values to variables by name; every variable must be present with its shape. */
export function restoreVariables(variables: readonly NamedVariable[], entries: readonly CheckpointTensor[]): void {
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const v of variables) {
    const e = byName.get(v.name);
    if (e === undefined) throw new Error(`checkpoint: no value stored for ${v.name}`);
    if (e.shape.join(',') !== v.variable.shape.join(',')) {
      throw new Error(`checkpoint: ${v.name} is stored with shape [${e.shape.join(', ')}] but the network has [${v.variable.shape.join(', ')}]`);
    }
    tf.tidy(() => v.variable.assign(tf.tensor(e.data, e.shape, e.dtype)));
  }
}

/**
 * Assigns stored values to the variables that have an entry of the same name and shape (weight carry-over into a
 * rebuilt supernet); returns the variables left as they were.
 */
export function assignMatching(variables: readonly NamedVariable[], entries: readonly CheckpointTensor[]): NamedVariable[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const untouched: NamedVariable[] = [];
  for (const v of variables) {
    const e = byName.get(v.name);
    if (e === undefined || e.shape.join(',') !== v.variable.shape.join(',')) {
      untouched.push(v);
      continue;
    }
    tf.tidy(() => v.variable.assign(tf.tensor(e.data, e.shape, e.dtype)));
  }
  return untouched;
}

/** Tensors for an optimiser's loadState; the caller disposes them. */
export function toNamedTensors(entries: readonly CheckpointTensor[]): NamedTensor[] {
  return entries.map((e) => ({ name: e.name, tensor: tf.tensor(e.data, e.shape, e.dtype) }));
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
