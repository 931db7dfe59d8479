/**
 * Wall-clock timing for the benchmarks, host-agnostic (performance.now exists in Node and in pages). Each timed
 * call ends with an awaited read-back, so asynchronous backends (a GPU's queue) are timed to completion.
 */

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Wall ms of one awaited call. */
export async function timeOnce(run: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

/**
 * `repeats` timed calls of each alternative, round-robin (a, b, c, a, b, c, ...), so that load from other processes
 * affects them alike and their ratios stay meaningful. The caller warms each up first. Returns every sample.
 */
export async function timeRoundRobin<K extends string>(names: readonly K[], run: (name: K) => Promise<void>, repeats: number): Promise<Map<K, number[]>> {
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let i = 0; i < repeats; i++) {
    for (const name of names) samples.get(name)!.push(await timeOnce(() => run(name)));
  }
  return samples;
}
