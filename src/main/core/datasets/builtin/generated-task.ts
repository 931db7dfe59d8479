/**
 * What the built-in generators share: sizes, split counts, seeding. Every generator is a pure function of its
 * options: the same seed gives byte-identical splits. Each split draws from its own stream (`fork('train')`...),
 * so changing the size of one split leaves the samples of the others unchanged.
 */
import { LabError } from '../../../../shared/errors.ts';
import { SeededRandom } from '../../../../shared/engine/index.ts';

export type BuiltinSize = 'tiny' | 'small' | 'full';

export interface SplitCounts {
  train: number;
  val: number;
  test: number;
}

export interface BuiltinOptions {
  seed: number;
  /** 'tiny' for tests and smoke runs, 'small' (default) for quick runs on a laptop, 'full' for benchmark-sized runs. */
  size?: BuiltinSize;
  /** Overrides the size's sample counts. */
  counts?: Partial<SplitCounts>;
}

export const splitNames = ['train', 'val', 'test'] as const;

export function resolveCounts(task: string, defaults: Readonly<Record<BuiltinSize, SplitCounts>>, options: BuiltinOptions): SplitCounts {
  const size = options.size ?? 'small';
  const base = defaults[size];
  if (base === undefined) {
    throw new LabError('bad-request', `${task}: unknown size '${String(size)}'`, "Choose 'tiny', 'small' or 'full'.");
  }
  const counts = { ...base, ...options.counts };
  for (const name of splitNames) {
    const n = counts[name];
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) {
      throw new LabError('bad-request', `${task}: the ${name} split needs 1 to 1,000,000 samples, got ${n}`, 'Choose a positive whole number of samples.');
    }
  }
  if (!Number.isFinite(options.seed)) {
    throw new LabError('bad-request', `${task}: seed must be a finite number, got ${options.seed}`, 'Pass an integer seed.');
  }
  return counts;
}

/** One stream per split, derived from the task's seed. */
export function splitStreams(task: string, seed: number): Record<(typeof splitNames)[number], SeededRandom> {
  const root = new SeededRandom(seed);
  return { train: root.fork(`${task}/train`), val: root.fork(`${task}/val`), test: root.fork(`${task}/test`) };
}

/** n labels with the classes as equal as possible (class i % classes), in a seeded order. */
export function balancedLabels(n: number, classes: number, rng: SeededRandom): Int32Array {
  const order = rng.permutation(n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[order[i]!] = i % classes;
  return labels;
}
