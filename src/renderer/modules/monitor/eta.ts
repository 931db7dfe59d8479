/**
 * Time left in a run, from the progress readings this window received (its own clock, so a lab on another
 * machine with another clock does not skew it): the recent rate of progress, extrapolated to 100%.
 */
import type { ProgressSample } from '../../stores/runs.ts';

/** Readings older than this are not used: the rate changes from phase to phase. */
export const ETA_WINDOW_MS = 60_000;
/** Below this much observed time the rate is noise. */
export const ETA_MIN_SPAN_MS = 2_000;

export function estimateRemainingSeconds(samples: readonly ProgressSample[], now: number): number | null {
  const last = samples.at(-1);
  if (last === undefined) return null;
  if (last.progress >= 1) return 0;
  const recent = samples.filter((sample) => last.at - sample.at <= ETA_WINDOW_MS);
  const first = recent[0];
  if (first === undefined) return null;
  const span = last.at - first.at;
  const gained = last.progress - first.progress;
  if (span < ETA_MIN_SPAN_MS || gained <= 0) return null;
  const remainingAtLast = ((1 - last.progress) * span) / gained / 1000;
  return Math.max(0, remainingAtLast - Math.max(0, now - last.at) / 1000);
}
