/**
 * NAS-Bench-360's DarcyFlow files (FNO's `piececonst_r421_N1024_smooth{1,2}.mat`): fields `coeff` (the
 * coefficient a) and `sol` (the solution u), each N x 421 x 421, MAT v5/v7 or v7.3. As NAS-Bench-360 prepares
 * them: every 5th point of each axis (421 -> 85), inputs [a, x, y] per point with a normalised pointwise by the
 * training statistics and the grid in [0, 1] (x along the width, y along the height, as numpy's meshgrid makes
 * it), targets u normalised pointwise by the training statistics (`targetNormalization` undoes it).
 *
 * Splits: with a training and a test file (smooth1, smooth2), train and val are the first samples of the
 * training file (900 + 100 by default) and test the first 100 of the test file. With one file, test is its last
 * 100 samples, val the 100 before, train the rest.
 */
import { LabError } from '../../../../shared/errors.ts';
import { openMat, type ArraySource } from '../../../../array-io/index.ts';
import { encodePointwise, pointwiseStats, unitGaussianEps } from './normalize.ts';
import type { JsonValue, PointwiseNormalization, SplitData, TaskData } from './task-data.ts';
import { toFiniteFloat32 } from './validate.ts';

export interface DarcyFiles {
  train: string;
  test?: string;
}

export interface DarcyOptions {
  /** Keep every `stride`-th point of each axis (default 5: 421 -> 85). */
  stride?: number;
  ntrain?: number;
  nval?: number;
  ntest?: number;
}

/** n samples of the coefficient a and the solution u on one grid, sample-major. */
export interface DarcyFields {
  a: Float32Array;
  u: Float32Array;
  n: number;
}
type Fields = DarcyFields;

export async function readDarcyMat(files: string | DarcyFiles, options: DarcyOptions = {}): Promise<TaskData> {
  const { train: trainFile, test: testFile } = typeof files === 'string' ? { train: files, test: undefined } : files;
  const stride = options.stride ?? 5;
  if (!Number.isInteger(stride) || stride < 1) {
    throw new LabError('bad-request', `stride must be a positive integer, got ${stride}`, "Use 5 for NAS-Bench-360's 85 x 85 grid.");
  }
  const nval = options.nval ?? 100;
  const ntest = options.ntest ?? 100;
  if (testFile === undefined) {
    // One file: read every sample once (subsampled, so small), then cut train from the start, val and test from the end.
    const all = await readDarcyFile(trainFile, stride, (samples) => {
      if (options.ntrain === undefined && samples <= nval + ntest) {
        throw new LabError(
          'bad-request',
          `${trainFile}: holds ${samples} samples; val ${nval} + test ${ntest} leave none for training`,
          'Choose smaller val and test splits, or give a separate test file.',
        );
      }
      return samples;
    });
    const plan = { ntrain: options.ntrain ?? all.fields.n - nval - ntest, nval, ntest };
    checkCounts(trainFile, all.fields.n, plan.ntrain + nval + ntest, plan);
    const n = all.fields.n;
    const splits = [slice(all.fields, 0, plan.ntrain), slice(all.fields, n - nval - ntest, nval), slice(all.fields, n - ntest, ntest)] as const;
    return assemble(...splits, stride, all.grid, plan, { trainFile, testFile: null });
  }
  const plan = { ntrain: options.ntrain ?? 900, nval, ntest };
  const head = await readDarcyFile(trainFile, stride, (samples) => {
    checkCounts(trainFile, samples, plan.ntrain + nval, plan);
    return plan.ntrain + nval;
  });
  const tail = await readDarcyFile(testFile, stride, (samples) => {
    checkCounts(testFile, samples, ntest, plan);
    return ntest;
  });
  if (tail.grid.join() !== head.grid.join()) {
    throw new LabError(
      'bad-request',
      `${testFile}: fields are ${tail.grid.join(' x ')} per sample but ${trainFile}'s are ${head.grid.join(' x ')}`,
      'Use training and test files of the same resolution.',
    );
  }
  return assemble(slice(head.fields, 0, plan.ntrain), slice(head.fields, plan.ntrain, nval), tail.fields, stride, head.grid, plan, {
    trainFile,
    testFile,
  });
}

/** The first `count(samples)` samples of a DarcyFlow file's `coeff` and `sol`, subsampled. */
async function readDarcyFile(path: string, stride: number, count: (samples: number) => number): Promise<{ fields: Fields; grid: number[] }> {
  const mat = await openMat(path);
  const sources: ArraySource[] = [];
  try {
    const coeff = await mat.open('coeff');
    sources.push(coeff);
    const sol = await mat.open('sol');
    sources.push(sol);
    const [n, h, w] = coeff.shape;
    if (coeff.shape.length !== 3 || sol.shape.join() !== coeff.shape.join()) {
      throw new LabError(
        'bad-request',
        `${path}: 'coeff' is ${coeff.shape.join(' x ')} and 'sol' is ${sol.shape.join(' x ')}; both must be N x H x W`,
        'Use the DarcyFlow files as FNO and NAS-Bench-360 ship them (1024 x 421 x 421).',
      );
    }
    return { fields: await readFields(coeff, sol, 0, count(n!), stride), grid: [h!, w!] };
  } finally {
    for (const source of sources) await source.close();
    await mat.close();
  }
}

function checkCounts(path: string, available: number, needed: number, plan: { ntrain: number; nval: number; ntest: number }): void {
  const bad = Object.entries(plan).find(([, v]) => !Number.isInteger(v) || v < 1);
  if (bad !== undefined) {
    throw new LabError('bad-request', `${path}: ${bad[0]} must be a positive integer, got ${bad[1]}`, 'Choose at least one sample for each split.');
  }
  if (needed > available) {
    throw new LabError(
      'bad-request',
      `${path}: holds ${available} samples, but the splits need ${needed} (train ${plan.ntrain}, val ${plan.nval}, test ${plan.ntest})`,
      'Choose smaller splits, or give a separate test file.',
    );
  }
}

/** Samples [first, first + count) of both fields, every `stride`-th point of each axis, as float32. */
async function readFields(coeff: ArraySource, sol: ArraySource, first: number, count: number, stride: number): Promise<Fields> {
  const selection = [
    { start: first, stop: first + count },
    { start: 0, stop: coeff.shape[1]!, step: stride },
    { start: 0, stop: coeff.shape[2]!, step: stride },
  ];
  const a = toFiniteFloat32(await coeff.readSlab(selection), coeff.path, 'coefficients');
  const u = toFiniteFloat32(await sol.readSlab(selection), sol.path, 'solutions');
  return { a, u, n: count };
}

function slice(fields: Fields, first: number, count: number): Fields {
  const perSample = fields.a.length / fields.n;
  return {
    a: fields.a.subarray(first * perSample, (first + count) * perSample),
    u: fields.u.subarray(first * perSample, (first + count) * perSample),
    n: count,
  };
}

/** Inputs [a, x, y] and targets u for the three splits, normalised with the training statistics. */
export function assembleDarcySplits(
  train: Fields,
  val: Fields,
  test: Fields,
  height: number,
  width: number,
): { splits: { train: SplitData; val: SplitData; test: SplitData }; input: PointwiseNormalization; target: PointwiseNormalization } {
  const aStats = pointwiseStats(train.a, train.n, unitGaussianEps);
  const uStats = pointwiseStats(train.u, train.n, unitGaussianEps);
  const build = (fields: Fields): SplitData => {
    const a = encodePointwise(Float32Array.from(fields.a), aStats);
    const x = new Float32Array(fields.n * height * width * 3);
    for (let s = 0, o = 0, p = 0; s < fields.n; s++) {
      for (let i = 0; i < height; i++) {
        for (let j = 0; j < width; j++, p++) {
          x[o++] = a[p]!;
          x[o++] = width > 1 ? j / (width - 1) : 0;
          x[o++] = height > 1 ? i / (height - 1) : 0;
        }
      }
    }
    return { x, y: encodePointwise(Float32Array.from(fields.u), uStats), n: fields.n };
  };
  return { splits: { train: build(train), val: build(val), test: build(test) }, input: aStats, target: uStats };
}

function assemble(
  train: Fields,
  val: Fields,
  test: Fields,
  stride: number,
  side: number[],
  plan: { ntrain: number; nval: number; ntest: number },
  files: { trainFile: string; testFile: string | null },
): TaskData {
  const height = Math.ceil(side[0]! / stride);
  const width = Math.ceil(side[1]! / stride);
  return darcyTaskData(train, val, test, height, width, {
    source: 'NAS-Bench-360 DarcyFlow (FNO piecewise-constant coefficients)',
    trainFile: files.trainFile,
    testFile: files.testFile,
    resolution: `${side.join(' x ')} -> ${height} x ${width} (every ${stride}th point)`,
    samples: plan,
  });
}

/**
 * A dense-regression task from Darcy fields on a height x width grid: inputs [a, x, y] with a normalised
 * pointwise and targets u normalised pointwise, both by the training statistics (shared with darcy-synth).
 */
export function darcyTaskData(train: Fields, val: Fields, test: Fields, height: number, width: number, details: Record<string, JsonValue>): TaskData {
  const { splits, input, target } = assembleDarcySplits(train, val, test, height, width);
  // The input statistics cover channel 0 (a) only; the grid channels pass through ((v - 0) / (1 - eps + eps) = v).
  const inputMean = new Float32Array(height * width * 3);
  const inputStd = new Float32Array(height * width * 3).fill(1 - unitGaussianEps);
  for (let p = 0; p < height * width; p++) {
    inputMean[3 * p] = input.mean[p]!;
    inputStd[3 * p] = input.std[p]!;
  }
  return {
    kind: 'dense-regression',
    splits,
    xShape: [height, width, 3],
    yShape: [height, width, 1],
    metric: { name: 'relative-l2', direction: 'minimize' },
    targetNormalization: target,
    inputNormalization: { mean: inputMean, std: inputStd, eps: unitGaussianEps, channels: [0] },
    details: {
      ...details,
      inputs: 'channels [a (normalised pointwise), x, y]',
      targets: 'u (normalised pointwise; targetNormalization undoes it)',
    },
  };
}
