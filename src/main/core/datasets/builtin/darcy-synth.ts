/**
 * `darcy-synth`: DarcyFlow generated here, the way FNO generated NAS-Bench-360's data: a piecewise-constant
 * coefficient a (12 where a Gaussian random field with covariance (-Laplacian + 9)^(-2) is >= 0, 3 elsewhere),
 * and the solution u of -div(a grad u) = 1 on the unit square with u = 0 on the boundary (darcy-solver.ts:
 * five-point differences, harmonic-mean faces, Jacobi-preconditioned CG to a relative residual of 1e-10).
 * Inputs [a, x, y], target u, both normalised pointwise by the training statistics; metric relative L2.
 * `refine` solves on a finer grid and keeps every refine-th node, as FNO solved at 421 and subsampled to 85.
 */
import { LabError } from '../../../../shared/errors.ts';
import { darcyTaskData, type DarcyFields } from '../preprocess/darcy.ts';
import type { TaskData } from '../preprocess/task-data.ts';
import type { SeededRandom } from '../../../../shared/engine/index.ts';
import { solveDarcy } from './darcy-solver.ts';
import { gaussianRandomField, thresholdField } from './gaussian-random-field.ts';
import { resolveCounts, splitStreams, type BuiltinOptions, type BuiltinSize, type SplitCounts } from './generated-task.ts';

export interface DarcySynthOptions extends BuiltinOptions {
  /** Grid nodes per side of the samples (default by size: 17, 33, 85). */
  resolution?: number;
  /** Solve on a grid refine times finer and subsample (default 1). */
  refine?: number;
  alpha?: number;
  tau?: number;
  high?: number;
  low?: number;
  tolerance?: number;
}

const counts: Readonly<Record<BuiltinSize, SplitCounts>> = {
  tiny: { train: 24, val: 8, test: 8 },
  small: { train: 200, val: 50, test: 50 },
  full: { train: 900, val: 100, test: 100 },
};
const resolutions: Readonly<Record<BuiltinSize, number>> = { tiny: 17, small: 33, full: 85 };

export function generateDarcySynth(options: DarcySynthOptions): TaskData {
  const sizes = resolveCounts('darcy-synth', counts, options);
  const resolution = options.resolution ?? resolutions[options.size ?? 'small'];
  const refine = options.refine ?? 1;
  if (!Number.isInteger(resolution) || resolution < 3 || resolution > 1025 || !Number.isInteger(refine) || refine < 1 || (resolution - 1) * refine + 1 > 1025) {
    throw new LabError(
      'bad-request',
      `darcy-synth: resolution ${resolution} with refine ${refine} is not a usable grid`,
      'Use 3 to 1025 nodes per side, and a whole refine factor that keeps the solve grid at most 1025 per side.',
    );
  }
  const settings = {
    alpha: options.alpha ?? 2,
    tau: options.tau ?? 3,
    high: options.high ?? 12,
    low: options.low ?? 3,
    tolerance: options.tolerance ?? 1e-10,
  };
  if (!(settings.high > 0 && settings.low > 0)) {
    throw new LabError('bad-request', `darcy-synth: coefficients must be positive, got ${settings.high} and ${settings.low}`, 'The PDE is elliptic only for a > 0.');
  }
  const streams = splitStreams('darcy-synth', options.seed);
  const iterations: number[] = [];
  const make = (n: number, rng: SeededRandom): DarcyFields => generateFields(n, resolution, refine, settings, rng, iterations);
  const train = make(sizes.train, streams.train);
  const val = make(sizes.val, streams.val);
  const test = make(sizes.test, streams.test);
  return darcyTaskData(train, val, test, resolution, resolution, {
    source: 'built-in: darcy-synth',
    seed: options.seed,
    size: options.size ?? 'small',
    samples: { ...sizes },
    resolution,
    solveResolution: (resolution - 1) * refine + 1,
    coefficient: `${settings.high} where GRF(alpha ${settings.alpha}, tau ${settings.tau}) >= 0, else ${settings.low}`,
    solver: `5-point FD, harmonic-mean faces, Jacobi-PCG to relative residual ${settings.tolerance}`,
    cgIterations: { mean: Math.round(iterations.reduce((a, b) => a + b, 0) / iterations.length), max: Math.max(...iterations) },
  });
}

function generateFields(
  count: number,
  resolution: number,
  refine: number,
  settings: { alpha: number; tau: number; high: number; low: number; tolerance: number },
  rng: SeededRandom,
  iterations: number[],
): DarcyFields {
  const fine = (resolution - 1) * refine + 1;
  const perSample = resolution * resolution;
  const a = new Float32Array(count * perSample);
  const u = new Float32Array(count * perSample);
  for (let s = 0; s < count; s++) {
    const field = gaussianRandomField(fine, rng, { alpha: settings.alpha, tau: settings.tau });
    const coefficient = thresholdField(field, settings.high, settings.low);
    const solution = solveDarcy(coefficient, fine, 1, { tolerance: settings.tolerance });
    if (!solution.converged) {
      throw new LabError(
        'internal',
        `darcy-synth: conjugate gradients stopped at relative residual ${solution.relativeResidual} after ${solution.iterations} iterations`,
        'Use a looser tolerance or a smaller grid.',
      );
    }
    iterations.push(solution.iterations);
    for (let i = 0; i < resolution; i++) {
      for (let j = 0; j < resolution; j++) {
        const from = i * refine * fine + j * refine;
        a[s * perSample + i * resolution + j] = coefficient[from]!;
        u[s * perSample + i * resolution + j] = solution.u[from]!;
      }
    }
  }
  return { a, u, n: count };
}
