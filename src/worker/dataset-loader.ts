/**
 * Turns a stored dataset (the registry's .npy files and train statistics) into the engine's RunDataset: inputs
 * normalised with the train statistics, dense targets normalised pointwise (the engine undoes it for metrics).
 * A split that fits the memory budget is read once; a larger one is read batch by batch from disk, so datasets
 * larger than memory still train. Where the bytes come from is the caller's: files on disk in the Node worker
 * (openNpy), ranges fetched from the host in a page (browser/http-npy.ts).
 */
import { LabError } from '../shared/errors.ts';
import { openNpy, readWholeArray, type ArraySource } from '../array-io/index.ts';
import type { BatchReader, RunDataset, SampleBatch } from './engine/index.ts';
import type { TaskSpec } from '../shared/engine/index.ts';
import type { DatasetFiles } from './protocol.ts';

/** Splits whose inputs are below this many bytes are held in memory. */
const IN_MEMORY_BYTES = 768 * 1024 * 1024;

interface Affine {
  mean: Float32Array;
  std: Float32Array;
  eps: number;
}

/** Opens one stored .npy array by the name the job gives it. */
export type OpenArray = (file: string) => Promise<ArraySource>;

async function readStats(openArray: OpenArray, meanFile: string, stdFile: string, eps: number): Promise<Affine> {
  const toF32 = async (file: string): Promise<Float32Array> => {
    const source = await openArray(file);
    try {
      return Float32Array.from(await readWholeArray(source));
    } finally {
      await source.close();
    }
  };
  return { mean: await toF32(meanFile), std: await toF32(stdFile), eps };
}

/** x <- (x - mean) / (std + eps) in place; the statistics repeat along a row (per channel) or cover it (pointwise). */
function normalizeInPlace(values: Float32Array, stats: Affine): void {
  const width = stats.mean.length;
  for (let i = 0; i < values.length; i++) {
    const k = i % width;
    values[i] = (values[i]! - stats.mean[k]!) / (stats.std[k]! + stats.eps);
  }
}

class NpySplitReader implements BatchReader {
  readonly size: number;
  private readonly x: ArraySource;
  private readonly y: ArraySource;
  private readonly xWidth: number;
  private readonly yWidth: number;
  private readonly xStats: Affine;
  private readonly yStats: Affine | null;
  private cache: { x: Float32Array; y: Float32Array | Int32Array } | null = null;

  constructor(x: ArraySource, y: ArraySource, xStats: Affine, yStats: Affine | null) {
    this.x = x;
    this.y = y;
    this.size = x.shape[0] ?? 0;
    this.xWidth = x.shape.slice(1).reduce((a, b) => a * b, 1);
    this.yWidth = Math.max(1, y.shape.slice(1).reduce((a, b) => a * b, 1));
    this.xStats = xStats;
    this.yStats = yStats;
  }

  async preload(): Promise<void> {
    if (this.size * this.xWidth * 4 > IN_MEMORY_BYTES) return;
    const x = Float32Array.from(await readWholeArray(this.x));
    normalizeInPlace(x, this.xStats);
    this.cache = { x, y: await this.readY(0, this.size) };
  }

  private async readY(first: number, count: number): Promise<Float32Array | Int32Array> {
    const raw = await this.y.readRows(first, count);
    if (raw instanceof Int32Array) return raw;
    const y = Float32Array.from(raw);
    if (this.yStats) normalizeInPlace(y, this.yStats);
    return y;
  }

  async batch(indices: Int32Array): Promise<SampleBatch> {
    const n = indices.length;
    const x = new Float32Array(n * this.xWidth);
    const y = this.y.dtype === 'int32' ? new Int32Array(n * this.yWidth) : new Float32Array(n * this.yWidth);
    if (this.cache !== null) {
      for (let i = 0; i < n; i++) {
        const j = indices[i]!;
        x.set(this.cache.x.subarray(j * this.xWidth, (j + 1) * this.xWidth), i * this.xWidth);
        y.set(this.cache.y.subarray(j * this.yWidth, (j + 1) * this.yWidth), i * this.yWidth);
      }
      return { x, y };
    }
    // Streaming: read runs of consecutive indices together.
    let i = 0;
    while (i < n) {
      let run = 1;
      while (i + run < n && indices[i + run] === indices[i]! + run) run += 1;
      const xs = Float32Array.from(await this.x.readRows(indices[i]!, run));
      normalizeInPlace(xs, this.xStats);
      x.set(xs, i * this.xWidth);
      y.set(await this.readY(indices[i]!, run), i * this.yWidth);
      i += run;
    }
    return { x, y };
  }

  async close(): Promise<void> {
    await this.x.close();
    await this.y.close();
  }
}

export interface LoadedDataset {
  dataset: RunDataset;
  close(): Promise<void>;
}

export async function loadDataset(files: DatasetFiles, openArray: OpenArray = openNpy): Promise<LoadedDataset> {
  if (files.kind === 'regression') {
    throw new LabError('bad-request', `Dataset '${files.name}' is a regression task with vector targets; the engine's backbones search classification and dense-prediction tasks.`, 'Import it as classification or dense, or choose another dataset.');
  }
  const metric = files.metric === 'mse' ? 'relative-l2' : files.metric;
  const task: TaskSpec =
    files.kind === 'classification'
      ? { kind: 'classification', metric, inputShape: files.xShape, numClasses: files.classes ?? 2 }
      : { kind: 'dense-regression', metric: 'relative-l2', inputShape: files.xShape, targetShape: files.yShape };
  const { eps } = files.normalization;
  const xStats = await readStats(openArray, files.normalization.x.mean, files.normalization.x.std, eps);
  const yStats = files.normalization.y && files.kind === 'dense' ? await readStats(openArray, files.normalization.y.mean, files.normalization.y.std, eps) : null;
  const readers: NpySplitReader[] = [];
  const open = async (split: { x: string; y: string }): Promise<NpySplitReader> => {
    const reader = new NpySplitReader(await openArray(split.x), await openArray(split.y), xStats, yStats);
    readers.push(reader);
    await reader.preload();
    return reader;
  };
  try {
    const dataset: RunDataset = {
      task,
      train: await open(files.splits.train),
      validation: await open(files.splits.val),
      test: await open(files.splits.test),
      ...(yStats ? { targetNormalization: { mean: yStats.mean, std: yStats.std, eps } } : {}),
    };
    return { dataset, close: async () => void (await Promise.all(readers.map((r) => r.close()))) };
  } catch (error) {
    await Promise.all(readers.map((r) => r.close()));
    throw error;
  }
}
