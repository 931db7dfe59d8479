/**
 * Cost model that picks a mixture-conv evaluation method per layer and input size. It estimates the time of a
 * training step's forward + backward as
 *
 *   ops * opCost + sum over convolutions of multiply-adds / convRate(kind) + Fourier multiply-adds / gemmRate
 *
 * with per-backend constants measured by bench/mixture-conv.bench.ts (see the comments at BACKEND_COSTS).
 * The choice is a pure function of the layer, the input shape and the backend, so a run is reproducible:
 * no timing at run time.
 */
import type { Pair } from './conv-core.ts';
import { aggregateAxis, lastOffset, reachableTaps, type AxisTaps } from './conv-geometry.ts';
import { circleLength } from './fourier-conv.ts';
import type { MixtureConvConfig, MixtureMethod, Pattern } from './mixture-conv.ts';

export interface BackendCosts {
  /** Fixed cost of one tfjs op call, microseconds (dispatch, allocation, tidy bookkeeping). */
  opMicros: number;
  /** Multiply-adds per microsecond for dense convolutions (forward, input and filter gradients alike). */
  denseConvRate: number;
  /** Multiply-adds per microsecond for depthwise convolutions. */
  depthwiseConvRate: number;
  /** Multiply-adds per microsecond for the Fourier path's matrix products. */
  gemmRate: number;
  /** Multiply-adds per microsecond for elementwise work (the depthwise spectral product, kernel assembly). */
  elementwiseRate: number;
}

/**
 * Measured on the project's 2-core machine with bench/mixture-conv.bench.ts (tfjs 4.22, forward + backward).
 * wasm: 2 threads, SIMD. cpu: pure JS. 'tensorflow' reuses the wasm numbers scaled for a native library;
 * they only need to rank methods, not predict times.
 */
export const BACKEND_COSTS: Record<string, BackendCosts> = {
  wasm: { opMicros: 60, denseConvRate: 8000, depthwiseConvRate: 1500, gemmRate: 8000, elementwiseRate: 300 },
  cpu: { opMicros: 40, denseConvRate: 250, depthwiseConvRate: 150, gemmRate: 400, elementwiseRate: 100 },
  tensorflow: { opMicros: 30, denseConvRate: 20000, depthwiseConvRate: 4000, gemmRate: 20000, elementwiseRate: 1000 },
};

export interface MethodEstimate {
  method: MixtureMethod;
  micros: number;
  ops: number;
  multiplyAdds: number;
}

interface Geometry {
  batch: number;
  size: Pair;
  out: Pair;
  cin: number;
  cout: number;
  depthwise: boolean;
}

function taps(config: MixtureConvConfig, p: Pattern, size: Pair): [AxisTaps, AxisTaps] {
  const w = reachableTaps(p.kernel, p.dilation, size[1], 'same');
  const h = config.rank === 1 ? { start: 0, count: 1, step: 1, firstOffset: 0 } : reachableTaps(p.kernel, p.dilation, size[0], 'same');
  return [h, w];
}

/** Multiply-adds of forward + input gradient + filter gradient of one conv with kh x kw taps. */
function convTrainingMacs(g: Geometry, kh: number, kw: number): number {
  const perOutput = kh * kw * (g.depthwise ? 1 : g.cin);
  return 3 * g.batch * g.out[0] * g.out[1] * g.cout * perOutput;
}

/** Ops of one conv in forward + backward (conv, its two gradients, scaling, summing, slicing). */
const OPS_PER_CONV = 8;

export function estimateMixtureCosts(config: MixtureConvConfig, batch: number, size: Pair, backend: string): MethodEstimate[] {
  const costs = BACKEND_COSTS[backend] ?? BACKEND_COSTS.wasm!;
  const g: Geometry = {
    batch,
    size,
    out: config.rank === 1 ? [1, Math.ceil(size[1] / config.stride)] : [Math.ceil(size[0] / config.stride), Math.ceil(size[1] / config.stride)],
    cin: config.inChannels,
    cout: config.outChannels,
    depthwise: config.depthwise,
  };
  const convRate = config.depthwise ? costs.depthwiseConvRate : costs.denseConvRate;
  const reached = config.patterns.map((p) => ({ p, t: taps(config, p, size) })).filter(({ t }) => t[0].count > 0 && t[1].count > 0);
  const weightSize = (kh: number, kw: number): number => kh * kw * g.cin * (g.depthwise ? 1 : g.cout);
  const assembleMacs = reached.reduce((s, { t }) => s + weightSize(t[0].count, t[1].count), 0);

  const estimates: MethodEstimate[] = [];
  const add = (method: MixtureMethod, ops: number, convMacs: number, otherMacs: number, otherRate: number): void => {
    estimates.push({ method, ops, multiplyAdds: convMacs + otherMacs, micros: ops * costs.opMicros + convMacs / convRate + otherMacs / otherRate });
  };

  // One conv per pattern.
  const perPatternMacs = reached.reduce((s, { t }) => s + convTrainingMacs(g, t[0].count, t[1].count), 0);
  add('per-pattern', reached.length * OPS_PER_CONV, perPatternMacs, assembleMacs, costs.elementwiseRate);

  // One conv per tap grid (dilation).
  const grids = new Map<string, Array<[AxisTaps, AxisTaps]>>();
  for (const { t } of reached) {
    const key = `${t[0].step}:${mod(t[0].firstOffset, t[0].step)}|${t[1].step}:${mod(t[1].firstOffset, t[1].step)}`;
    grids.set(key, [...(grids.get(key) ?? []), t]);
  }
  const spans = [...grids.values()].map((members) =>
    [0, 1].map((axis) => {
      const first = Math.min(...members.map((m) => m[axis]!.firstOffset));
      const last = Math.max(...members.map((m) => lastOffset(m[axis]!)));
      return (last - first) / members[0]![axis]!.step + 1;
    }),
  );
  const groupedMacs = spans.reduce((s, [kh, kw]) => s + convTrainingMacs(g, kh!, kw!), 0);
  const groupAssembly = spans.reduce((s, [kh, kw]) => s + 2 * weightSize(kh!, kw!), 0);
  add('dilation-grouped', spans.length * OPS_PER_CONV + reached.length * 4, groupedMacs, assembleMacs + groupAssembly, costs.elementwiseRate);

  // One conv with the aggregated kernel.
  const maxExtent = Math.max(...config.patterns.map((p) => p.dilation * (p.kernel - 1) + 1));
  const aggH = config.rank === 1 ? aggregateAxis(1, 1) : aggregateAxis(maxExtent, size[0]);
  const aggW = aggregateAxis(maxExtent, size[1]);
  const aggregateAssembly = groupAssembly + 2 * spans.length * weightSize(aggH.size, aggW.size);
  const assemblyOps = reached.length * 4 + spans.length * 10;
  add('aggregated', OPS_PER_CONV + assemblyOps, convTrainingMacs(g, aggH.size, aggW.size), assembleMacs + aggregateAssembly, costs.elementwiseRate);

  // Fourier: transforms of x, the kernel, the output (forward) and of dy, dx, dK (backward).
  const lh = config.rank === 1 ? 1 : circleLength(size[0], aggH.size, aggH.firstOffset);
  const lw = circleLength(size[1], aggW.size, aggW.firstOffset);
  const fw = Math.floor(lw / 2) + 1;
  const bins = fw * lh;
  const transform = (n: [number, number]): number => n[0] * n[1] * 2 * fw + (lh > 1 ? fw * 2 * n[0] * 2 * lh : 0);
  const kernelSignals = g.cin * (g.depthwise ? 1 : g.cout);
  const full: [number, number] = [size[0], size[1]];
  const transforms = batch * (2 * g.cin + 2 * g.cout) * transform(full) + 2 * kernelSignals * transform([aggH.size, aggW.size]);
  const product = g.depthwise ? 0 : 3 * bins * batch * 2 * g.cin * 2 * g.cout;
  const elementwise = g.depthwise ? 3 * 4 * bins * batch * g.cin : 0;
  const fftMicros = (transforms + product) / costs.gemmRate + (elementwise + aggregateAssembly) / costs.elementwiseRate;
  const fftOps = 60 + assemblyOps;
  estimates.push({ method: 'fft', ops: fftOps, multiplyAdds: transforms + product + elementwise, micros: fftOps * costs.opMicros + fftMicros });
  return estimates;
}

/** The method with the smallest estimated training-step time. */
export function chooseMixtureMethod(config: MixtureConvConfig, batch: number, size: Pair, backend: string): MixtureMethod {
  const estimates = estimateMixtureCosts(config, batch, size, backend);
  let best = estimates[0]!;
  for (const e of estimates) if (e.micros < best.micros) best = e;
  return best.method;
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}
