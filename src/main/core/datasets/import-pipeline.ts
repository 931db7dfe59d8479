/**
 * Turns readers' ArraySources into a stored dataset: validates every value while streaming, writes each split
 * as .npy in a private partial folder, carves a validation split when none was given, computes normalisation
 * statistics on train and a content hash over what is stored. The registry then moves the folder into place
 * and writes the row in one step, so that a failed import leaves nothing behind.
 */
import { createHash, type Hash } from 'node:crypto';
import { join } from 'node:path';
import { MAX_CLASSES, type MetricSpec, type SplitName, type TaskKind } from '../../../shared/contract/index.ts';
import { LabError } from '../../../shared/errors.ts';
import { SeededRandom } from '../../../shared/engine/index.ts';
import { NpyWriter, type ArraySource, type NumericArray } from '../../../array-io/index.ts';

export interface SplitSources {
  x: ArraySource;
  y: ArraySource;
}

export interface ImportInput {
  kind: TaskKind;
  train: SplitSources;
  val?: SplitSources | undefined;
  test: SplitSources;
  /** Classification: the number of classes (labels 0..classes-1). Inferred from train when absent. */
  classes?: number | undefined;
  /** When val is absent: the fraction of train carved into val, with this seed. */
  valFraction?: number;
  valSeed?: number;
}

export interface ImportProgress {
  split: SplitName;
  rowsDone: number;
  rowsTotal: number;
}

export interface StoredSplit {
  rows: number;
  xFile: string;
  yFile: string;
}

export interface Normalization {
  /** Normalise as (v - mean) / (std + eps). Absent in labs made before eps was recorded: treat as NORMALIZATION_EPS. */
  eps?: number;
  /** x: per channel (last axis) over train; dense tasks: per position and channel. */
  x: { mode: 'channel' | 'pointwise'; meanFile: string; stdFile: string };
  /** y: regression and dense targets only (classification labels are not normalised). */
  y: { mode: 'channel' | 'pointwise'; meanFile: string; stdFile: string } | null;
}

export interface ImportResult {
  kind: TaskKind;
  rank: 1 | 2;
  xShape: number[];
  yShape: number[];
  classes: number | null;
  classCounts: Record<SplitName, number[]> | null;
  splits: Record<SplitName, StoredSplit>;
  valCarved: { seed: number; fraction: number } | null;
  normalization: Normalization;
  contentHash: string;
  bytes: number;
  metric: MetricSpec;
}

/**
 * How many bytes of decoded values one batch may hold: rows are read this many bytes at a time (at least one row),
 * so memory stays a constant plus one row whatever the row size (issue #10: 64 rows of 20 MB peaked at 1.35 GB when
 * batches were counted in rows). Counted at 8 bytes per element, the widest decoded type (float64), so that the raw
 * bytes, their decoded view and the float32 copy of narrower types all fit the same estimate.
 */
export const BATCH_BYTES = 16 * 1024 * 1024;

/**
 * 'full-pass' sources (deflated .npz members too large to hold) stream from the array's start on every read, so
 * each batch costs a pass over the member: they are read in larger batches to make fewer passes, still bounded.
 */
export const FULL_PASS_BATCH_BYTES = 128 * 1024 * 1024;

const BYTES_PER_ELEMENT_ESTIMATE = 8;

/** Rows per batch for elements of `rowElements` per row (x and y together): within the byte budget, at least 1. */
export function rowsPerBatch(rowElements: number, fullPass: boolean): number {
  const budget = fullPass ? FULL_PASS_BATCH_BYTES : BATCH_BYTES;
  return Math.max(1, Math.floor(budget / (Math.max(1, rowElements) * BYTES_PER_ELEMENT_ESTIMATE)));
}

/** The eps of (v - mean) / (std + eps), as in FNO's UnitGaussianNormalizer (NAS-Bench-360's Darcy). */
export const NORMALIZATION_EPS = 1e-5;

/** Per-sample shape checks: what each task kind can use. */
export function checkShapes(kind: TaskKind, xSample: readonly number[], ySample: readonly number[], where: string): 1 | 2 {
  const rank = xSample.length - 1;
  if (rank !== 1 && rank !== 2) {
    throw new LabError(
      'bad-request',
      `${where}: samples of shape (${xSample.join(', ')}) cannot be used; x must be (N, length, channels) for 1-D tasks or (N, height, width, channels) for 2-D tasks.`,
      'Reshape the array (add a channels axis of 1 for single-channel data).',
    );
  }
  if (xSample.some((d) => d < 1)) throw new LabError('bad-request', `${where}: x has an empty axis (${xSample.join(', ')}).`);
  if (kind === 'classification' && !(ySample.length === 0 || (ySample.length === 1 && ySample[0] === 1))) {
    throw new LabError('bad-request', `${where}: classification labels must be one integer per sample, got shape (${ySample.join(', ')}) per sample.`, 'Pass y of shape (N,) with labels 0..C-1 (not one-hot).');
  }
  if (kind === 'dense') {
    const spatial = xSample.slice(0, -1);
    const ySpatial = ySample.slice(0, spatial.length);
    if (ySample.length !== spatial.length + 1 || ySpatial.some((d, i) => d !== spatial[i])) {
      throw new LabError('bad-request', `${where}: dense targets must match x's spatial shape (${spatial.join(', ')}, channels); got (${ySample.join(', ')}).`);
    }
  }
  if (kind === 'regression' && ySample.length > 1) {
    throw new LabError('bad-request', `${where}: regression targets must be a vector per sample, got (${ySample.join(', ')}).`);
  }
  return rank;
}

function defaultMetric(kind: TaskKind): MetricSpec {
  if (kind === 'classification') return { name: 'error', direction: 'minimize' };
  if (kind === 'dense') return { name: 'relative-l2', direction: 'minimize' };
  return { name: 'mse', direction: 'minimize' };
}

/**
 * The values as stored (float32), refusing NaN and Inf with their place. The check runs on the float32 copy: a
 * finite float64 beyond float32's range (1e300) becomes Infinity there and must be refused, not stored.
 */
function toStoredFloat32(values: NumericArray, path: string, shape: readonly number[], firstIndex: number): Float32Array {
  const stored = toFloat32(values);
  for (let i = 0; i < stored.length; i++) {
    if (Number.isFinite(stored[i]!)) continue;
    const original = values[i]!;
    const what = Number.isFinite(original) ? `is beyond float32's range (±3.4e38)` : 'is not finite';
    throw new LabError(
      'bad-request',
      `${path}: value ${original} at ${describeIndex(firstIndex + i, shape)} ${what}.`,
      'Remove or impute NaN and Inf values, and rescale values float32 cannot hold, before importing.',
    );
  }
  return stored;
}

function describeIndex(index: number, shape: readonly number[]): string {
  const coords: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis]!;
    coords.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${coords.join(', ')}]`;
}

/** Running sums for mean and std, per position of a row (pointwise) or per channel. */
class MomentAccumulator {
  readonly sum: Float64Array;
  readonly sumSquares: Float64Array;
  count = 0;
  private readonly width: number;

  constructor(width: number) {
    this.width = width;
    this.sum = new Float64Array(width);
    this.sumSquares = new Float64Array(width);
  }

  /** Adds values laid out as repeated groups of `width` (rows for pointwise, positions for per-channel). */
  add(values: Float32Array): void {
    const w = this.width;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      const k = i % w;
      this.sum[k]! += v;
      this.sumSquares[k]! += v * v;
    }
    this.count += values.length / w;
  }

  meanStd(): { mean: Float32Array; std: Float32Array } {
    const mean = new Float32Array(this.width);
    const std = new Float32Array(this.width);
    for (let k = 0; k < this.width; k++) {
      const m = this.sum[k]! / Math.max(1, this.count);
      const variance = Math.max(0, this.sumSquares[k]! / Math.max(1, this.count) - m * m);
      mean[k] = m;
      // Kept as measured (0 for a constant feature): users normalise with (v - mean) / (std + NORMALIZATION_EPS),
      // as FNO's UnitGaussianNormalizer does, which sends a constant feature to 0 and keeps it there when decoding.
      std[k] = Math.sqrt(variance);
    }
    return { mean, std };
  }
}

/** Reads rows; a file that vanished or cannot be read mid-import becomes an error that names it. */
async function readRows(source: ArraySource, first: number, count: number): Promise<NumericArray> {
  try {
    return await source.readRows(first, count);
  } catch (error) {
    if (error instanceof LabError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new LabError('unavailable', `${source.path} could not be read at row ${first} (${reason}).`, 'Check that the file still exists and is readable, then import again; nothing was stored.');
  }
}

function toFloat32(values: NumericArray): Float32Array {
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/**
 * Refuses a label that is not a class index: NaN, infinities and fractions (a float file may hold 3.0, not 1.5),
 * negatives, and labels at or beyond `classes` (given) or MAX_CLASSES (inferred). One line naming file, row, value.
 */
function checkLabel(v: number, where: string, row: number, classes: number | undefined): void {
  if (Number.isInteger(v) && v >= 0 && v < (classes ?? MAX_CLASSES)) return;
  const hint = 'Map the labels to 0..C-1, or pass the right number of classes.';
  if (!Number.isFinite(v)) throw new LabError('bad-request', `${where}: label ${v} at row ${row} is not a finite number (labels must be integers 0..C-1).`, 'Remove or fix the samples with missing labels before importing.');
  if (!Number.isInteger(v)) throw new LabError('bad-request', `${where}: label ${v} at row ${row} is not an integer (labels must be integers 0..C-1).`, hint);
  if (classes !== undefined) throw new LabError('bad-request', `${where}: label ${v} at row ${row} is out of range (labels must be 0..${classes - 1}).`, hint);
  if (v < 0) throw new LabError('bad-request', `${where}: label ${v} at row ${row} is out of range (labels must be non-negative integers).`, hint);
  throw new LabError('bad-request', `${where}: label ${v} at row ${row} is out of range (the lab supports at most ${MAX_CLASSES} classes, labels 0..${MAX_CLASSES - 1}).`, hint);
}

function toLabels(values: NumericArray, where: string, classes: number | undefined, firstRow: number): Int32Array {
  const labels = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    checkLabel(v, where, firstRow + i, classes);
    labels[i] = v;
  }
  return labels;
}

/**
 * Finds the number of classes when not given: the largest train label + 1 (one pass over train y). Every label is
 * checked here, before anything is allocated per class: a NaN or a label of 2,000,000,000 would otherwise size the
 * class counts.
 */
async function inferClasses(y: ArraySource): Promise<number> {
  let max = -1;
  const rows = y.shape[0] ?? 0;
  const batchRows = rowsPerBatch(1, y.rowAccess === 'full-pass');
  for (let first = 0; first < rows; first += batchRows) {
    const batch = await readRows(y, first, Math.min(batchRows, rows - first));
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i]!;
      checkLabel(v, y.path, first + i, undefined);
      if (v > max) max = v;
    }
  }
  return Math.max(1, max + 1);
}

/** A number of classes given by the caller (the contract checks requests; other callers reach here directly). */
function checkClasses(classes: number): number {
  if (!Number.isInteger(classes) || classes < 1 || classes > MAX_CLASSES) {
    throw new LabError('bad-request', `The number of classes must be an integer from 1 to ${MAX_CLASSES}, got ${classes}.`, 'Pass the number of distinct labels (labels 0..C-1).');
  }
  return classes;
}

interface SplitTarget {
  name: SplitName;
  writerX: NpyWriter;
  writerY: NpyWriter;
  classCounts: number[] | null;
}

/**
 * Streams the sources into `folder` (which must exist and be empty). Throws LabError naming the file and the
 * problem; the caller removes the folder on failure.
 */
export async function importIntoFolder(
  input: ImportInput,
  folder: string,
  onProgress: (progress: ImportProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<ImportResult> {
  const xSample = input.train.x.shape.slice(1);
  const ySample = input.train.y.shape.slice(1);
  const rank = checkShapes(input.kind, xSample, ySample, input.train.x.path);
  const given: Array<[SplitName, SplitSources]> = [['train', input.train], ['test', input.test]];
  if (input.val) given.push(['val', input.val]);
  for (const [name, split] of given) {
    const xRows = split.x.shape[0];
    const yRows = split.y.shape[0];
    if (xRows === undefined || yRows === undefined || xRows !== yRows) {
      throw new LabError('bad-request', `The ${name} split has ${xRows ?? 'no'} samples in ${split.x.path} but ${yRows ?? 'no'} labels/targets in ${split.y.path}.`, 'x and y of a split must have the same first dimension.');
    }
    if (xRows === 0) throw new LabError('bad-request', `The ${name} split (${split.x.path}) is empty.`);
    const sx = split.x.shape.slice(1);
    const sy = split.y.shape.slice(1);
    if (sx.join() !== xSample.join() || sy.join() !== ySample.join()) {
      throw new LabError('bad-request', `The ${name} split's samples have shape x (${sx.join(', ')}), y (${sy.join(', ')}), but train's are x (${xSample.join(', ')}), y (${ySample.join(', ')}).`, 'Every split must have the same per-sample shapes.');
    }
  }

  const classes =
    input.kind === 'classification' ? (input.classes !== undefined ? checkClasses(input.classes) : await inferClasses(input.train.y)) : undefined;
  const yStoredSample = input.kind === 'classification' ? [] : ySample.length === 0 ? [1] : ySample;
  const rowWidthX = xSample.reduce((a, b) => a * b, 1);
  const rowWidthY = Math.max(1, yStoredSample.reduce((a, b) => a * b, 1));

  // Which train rows go to a carved validation split: a seeded sample, rows kept in their order.
  const trainRows = input.train.x.shape[0]!;
  let carve: Uint8Array | null = null;
  let valCarved: ImportResult['valCarved'] = null;
  if (!input.val) {
    const fraction = input.valFraction ?? 0.1;
    const seed = input.valSeed ?? 0;
    const valCount = Math.max(1, Math.round(trainRows * fraction));
    if (valCount >= trainRows) {
      throw new LabError('bad-request', `The train split (${input.train.x.path}) has ${trainRows} samples: too few to carve a validation split from.`, 'Give a validation split, or more training samples.');
    }
    carve = new Uint8Array(trainRows);
    const order = new SeededRandom(seed).permutation(trainRows);
    for (let i = 0; i < valCount; i++) carve[order[i]!] = 1;
    valCarved = { seed, fraction };
  }
  const rowsOf = (name: SplitName): number => {
    if (name === 'val' && input.val) return input.val.x.shape[0]!;
    if (name === 'val') return carve!.reduce((a, b) => a + b, 0);
    if (name === 'train') return carve ? trainRows - carve.reduce((a, b) => a + b, 0) : trainRows;
    return input.test.x.shape[0]!;
  };

  const targets = new Map<SplitName, SplitTarget>();
  const yDtype = input.kind === 'classification' ? 'int32' : 'float32';
  try {
    for (const name of ['train', 'val', 'test'] as const) {
      const rows = rowsOf(name);
      targets.set(name, {
        name,
        writerX: await NpyWriter.create(join(folder, `${name}-x.npy`), 'float32', [rows, ...xSample]),
        writerY: await NpyWriter.create(join(folder, `${name}-y.npy`), yDtype, [rows, ...yStoredSample]),
        classCounts: classes !== undefined ? new Array<number>(classes).fill(0) : null,
      });
    }

    const pointwise = input.kind === 'dense';
    const channels = xSample.at(-1)!;
    const xMoments = new MomentAccumulator(pointwise ? rowWidthX : channels);
    const yMoments = input.kind === 'classification' ? null : new MomentAccumulator(pointwise ? rowWidthY : (yStoredSample.at(-1) ?? 1));

    const copySplit = async (name: SplitName, split: SplitSources, route: Uint8Array | null): Promise<void> => {
      const rows = split.x.shape[0]!;
      const batchRows = rowsPerBatch(rowWidthX + rowWidthY, split.x.rowAccess === 'full-pass' || split.y.rowAccess === 'full-pass');
      for (let first = 0; first < rows; first += batchRows) {
        if (signal?.aborted) throw new LabError('cancelled', 'The import was cancelled; nothing was stored.');
        const count = Math.min(batchRows, rows - first);
        const xf = toStoredFloat32(await readRows(split.x, first, count), split.x.path, split.x.shape, first * rowWidthX);
        const yRaw = await readRows(split.y, first, count);
        const y = classes !== undefined ? toLabels(yRaw, split.y.path, classes, first) : toStoredFloat32(yRaw, split.y.path, split.y.shape, first * rowWidthY);
        await routeRows(name, xf, y, count, route, first);
        onProgress({ split: name, rowsDone: first + count, rowsTotal: rows });
      }
    };

    const routeRows = async (name: SplitName, x: Float32Array, y: Float32Array | Int32Array, count: number, route: Uint8Array | null, first: number): Promise<void> => {
      if (route === null) {
        await write(targets.get(name)!, x, y);
        return;
      }
      // Carving: consecutive rows going to the same split are written together.
      let runStart = 0;
      for (let r = 1; r <= count; r++) {
        if (r < count && route[first + r] === route[first + runStart]) continue;
        const to = route[first + runStart] === 1 ? 'val' : 'train';
        await write(targets.get(to)!, x.subarray(runStart * rowWidthX, r * rowWidthX), y.subarray(runStart * rowWidthY, r * rowWidthY));
        runStart = r;
      }
    };

    const write = async (target: SplitTarget, x: Float32Array, y: Float32Array | Int32Array): Promise<void> => {
      await target.writerX.append(x);
      await target.writerY.append(y);
      if (target.name === 'train') {
        xMoments.add(x);
        if (yMoments && y instanceof Float32Array) yMoments.add(y);
      }
      if (target.classCounts && y instanceof Int32Array) for (const label of y) target.classCounts[label]! += 1;
    };

    await copySplit('train', input.train, carve);
    if (input.val) await copySplit('val', input.val, null);
    await copySplit('test', input.test, null);
    for (const t of targets.values()) {
      await t.writerX.finish();
      await t.writerY.finish();
    }

    const normalization = await writeNormalization(folder, xMoments, yMoments, pointwise, xSample, yStoredSample);
    const { contentHash, bytes } = await hashFolder(folder, input.kind, classes ?? null);
    const splits = Object.fromEntries(
      [...targets.values()].map((t) => [t.name, { rows: t.writerX.rows, xFile: `${t.name}-x.npy`, yFile: `${t.name}-y.npy` }]),
    ) as Record<SplitName, StoredSplit>;
    return {
      kind: input.kind,
      rank,
      xShape: xSample,
      yShape: yStoredSample,
      classes: classes ?? null,
      classCounts: classes !== undefined ? (Object.fromEntries([...targets.values()].map((t) => [t.name, t.classCounts!])) as Record<SplitName, number[]>) : null,
      splits,
      valCarved,
      normalization,
      contentHash,
      bytes,
      metric: defaultMetric(input.kind),
    };
  } finally {
    for (const t of targets.values()) {
      await t.writerX.abandon();
      await t.writerY.abandon();
    }
  }
}

async function writeNormalization(
  folder: string,
  xMoments: MomentAccumulator,
  yMoments: MomentAccumulator | null,
  pointwise: boolean,
  xSample: number[],
  ySample: number[],
): Promise<Normalization> {
  const mode = pointwise ? 'pointwise' : 'channel';
  const save = async (name: string, values: Float32Array, shape: number[]): Promise<string> => {
    const file = `${name}.npy`;
    const writer = await NpyWriter.create(join(folder, file), 'float32', [1, ...shape]);
    await writer.append(values);
    await writer.finish();
    return file;
  };
  const x = xMoments.meanStd();
  const xShape = pointwise ? xSample : [xSample.at(-1)!];
  const normalization: Normalization = {
    eps: NORMALIZATION_EPS,
    x: { mode, meanFile: await save('x-mean', x.mean, xShape), stdFile: await save('x-std', x.std, xShape) },
    y: null,
  };
  if (yMoments) {
    const y = yMoments.meanStd();
    const yShape = pointwise ? ySample : [ySample.at(-1) ?? 1];
    normalization.y = { mode, meanFile: await save('y-mean', y.mean, yShape), stdFile: await save('y-std', y.std, yShape) };
  }
  return normalization;
}

/** SHA-256 over the kind, the class count and every stored file (names and bytes, in a fixed order). */
async function hashFolder(folder: string, kind: TaskKind, classes: number | null): Promise<{ contentHash: string; bytes: number }> {
  const { open } = await import('node:fs/promises');
  const hash: Hash = createHash('sha256');
  hash.update(`pdash-dataset-v1\n${kind}\n${classes ?? ''}\n`);
  let bytes = 0;
  for (const split of ['train', 'val', 'test']) {
    for (const part of ['x', 'y']) {
      const name = `${split}-${part}.npy`;
      hash.update(`${name}\n`);
      const handle = await open(join(folder, name), 'r');
      try {
        for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer);
          bytes += (chunk as Buffer).length;
        }
      } finally {
        await handle.close();
      }
    }
  }
  return { contentHash: hash.digest('hex'), bytes };
}
