/**
 * Batch order: a seeded shuffle per epoch, cut into batches (the last one may be smaller, as a PyTorch
 * DataLoader without drop_last), optionally only the first share of them (DASH's partial search epochs).
 */
import type { SeededRandom } from '../../../shared/engine/index.ts';

export function epochBatches(size: number, batchSize: number, rng: SeededRandom | null): Int32Array[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batches: batch size must be a positive integer, got ${batchSize}`);
  if (size < 1) throw new Error('batches: the split is empty');
  const order = rng === null ? Int32Array.from({ length: size }, (_, i) => i) : rng.permutation(size);
  const batches: Int32Array[] = [];
  for (let at = 0; at < size; at += batchSize) batches.push(order.slice(at, Math.min(size, at + batchSize)));
  return batches;
}

/** How many batches of an epoch a fraction keeps: the first ceil(fraction * count), at least one. */
export function partialBatchCount(count: number, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new Error(`batches: the fraction of batches per epoch must be in (0, 1], got ${fraction}`);
  return Math.max(1, Math.min(count, Math.ceil(fraction * count - 1e-9)));
}

/**
 * How much of the training split one epoch uses: the first `fraction` of one seeded shuffle's batches (DASH's partial
 * epochs), or exactly `steps` batches taken from successive seeded shuffles, so that an epoch is the same number of
 * optimiser steps on a dataset of any size (a budget in steps: docs/ALGORITHM.md section 13).
 */
export type EpochShare = { fraction: number } | { steps: number };

/** The search's share of an epoch: `stepsPerEpoch` when set, else DASH's `batchFraction`. */
export function searchShare(search: { stepsPerEpoch: number | null; batchFraction: number }): EpochShare {
  return search.stepsPerEpoch === null ? { fraction: search.batchFraction } : { steps: search.stepsPerEpoch };
}

/** The batches of one epoch under `share`, in order. */
export function shareBatches(size: number, batchSize: number, share: EpochShare, rng: SeededRandom): Int32Array[] {
  if ('fraction' in share) {
    const batches = epochBatches(size, batchSize, rng);
    return batches.slice(0, partialBatchCount(batches.length, share.fraction));
  }
  if (!Number.isInteger(share.steps) || share.steps < 1) throw new Error(`batches: steps per epoch must be a positive integer, got ${share.steps}`);
  const out: Int32Array[] = [];
  while (out.length < share.steps) out.push(...epochBatches(size, batchSize, rng));
  return out.slice(0, share.steps);
}

/** Optimiser steps of one epoch under `share`. */
export function shareSteps(size: number, batchSize: number, share: EpochShare): number {
  return 'fraction' in share ? partialBatchCount(Math.ceil(size / batchSize), share.fraction) : share.steps;
}

/** Samples one epoch trains on under `share` (whole shuffles count `size`; the last batch of a shuffle may be short). */
export function shareSamples(size: number, batchSize: number, share: EpochShare): number {
  const perShuffle = Math.ceil(size / batchSize);
  const steps = shareSteps(size, batchSize, share);
  const whole = Math.floor(steps / perShuffle);
  return whole * size + Math.min(size, (steps - whole * perShuffle) * batchSize);
}

/**
 * DASH's share of train batches per HP-search epoch, by the number of train batches: 0.2 under 50, 0.1 under 100,
 * 0.05 under 500, else 0.01.
 */
export function referenceHpBatchFraction(trainBatches: number): number {
  if (trainBatches < 50) return 0.2;
  if (trainBatches < 100) return 0.1;
  if (trainBatches < 500) return 0.05;
  return 0.01;
}

/** Seeded holdout: `count` indices for the held-out part, the rest for training; both sorted. */
export function holdout(size: number, count: number, rng: SeededRandom): { kept: Int32Array; heldOut: Int32Array } {
  if (!Number.isInteger(count) || count < 1 || count >= size) throw new Error(`holdout: cannot hold out ${count} of ${size} samples`);
  const p = rng.permutation(size);
  const heldOut = p.slice(0, count).sort();
  const kept = p.slice(count).sort();
  return { kept, heldOut };
}

/** A seeded subset of `count` indices (sorted), or all indices when count >= size. */
export function seededSubset(size: number, count: number | null, rng: SeededRandom): Int32Array {
  if (count === null || count >= size) return Int32Array.from({ length: size }, (_, i) => i);
  if (!Number.isInteger(count) || count < 1) throw new Error(`subset: sample limit must be a positive integer, got ${count}`);
  return rng.permutation(size).slice(0, count).sort();
}
