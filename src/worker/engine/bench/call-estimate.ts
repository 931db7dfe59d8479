/**
 * How long the mixture benchmark expects a call of an alternative to take, so that it can skip one far above
 * `maxCallMs` before calling it (mixture-bench.ts). Where the backend has cost constants (mixture-cost.ts's
 * BACKEND_COSTS: wasm, cpu, tensorflow) the cost model's estimate is used as it is. A backend without them (webgpu,
 * whose speed depends on the adapter: a GPU, or SwiftShader computing WebGPU on the CPU) gets the model's fallback
 * (wasm) estimate scaled by how much slower than that estimate this backend has measured, at best, on the
 * alternatives timed before in the same run. Nothing is estimated before the first measurement, so the first
 * layer's first alternative (naive) is always called once.
 *
 * Measured on SwiftShader (2 cores; `pdash bench mixture --layers 'ninapro stage1'`: the 16x52 depthwise layer,
 * batch 32, one checking call each): measured / modelled was 70 for naive, 45 per-pattern, 48 dilation-grouped, 26
 * aggregated, 83 fft, and aggregated's one call took 89 s. The smallest ratio seen is used, so an alternative is
 * skipped only when even the backend's best showing relative to the model puts it above the limit.
 */
import type { MixtureCandidate } from '../../../shared/engine/index.ts';

/** The cost model's ms per call of each alternative on the layer, and whether the backend has its own constants. */
export interface ModelledCalls {
  ms: ReadonlyMap<MixtureCandidate, number>;
  ownConstants: boolean;
}

/** The active backend's speed relative to the model's fallback constants, learnt from its measured calls. */
export class BackendSpeed {
  private best: number | null = null;

  /** Measured / modelled ms, the smallest seen; null before any measurement. */
  get factor(): number | null {
    return this.best;
  }

  record(measuredMs: number, modelledMs: number | undefined): void {
    if (modelledMs === undefined || !(modelledMs > 0) || !(measuredMs > 0) || !Number.isFinite(measuredMs)) return;
    this.best = Math.min(this.best ?? Number.POSITIVE_INFINITY, measuredMs / modelledMs);
  }
}

/** Expected ms of one call of `method`, with how it was estimated; null when nothing can be said yet. */
export function estimateCallMs(method: MixtureCandidate, modelled: ModelledCalls, speed: BackendSpeed): { ms: number; how: string } | null {
  const ms = modelled.ms.get(method);
  if (ms === undefined) return null;
  if (modelled.ownConstants) return { ms, how: 'the cost model estimates' };
  const factor = speed.factor;
  if (factor === null) return null;
  return { ms: ms * factor, how: `the cost model, scaled by ${factor.toFixed(1)}x to this backend's speed measured before it, estimates` };
}
