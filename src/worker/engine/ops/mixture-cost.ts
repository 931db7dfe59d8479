/**
 * Cost model that picks a mixture-conv evaluation method per layer and input size. It estimates the time of a
 * training step's forward + backward (x, weights, alpha) as
 *
 *   ops * opMicros                                   per-op dispatch, allocation, tidy bookkeeping
 *   + conv multiply-adds / (dense|depthwise)ConvRate  forward, input gradient and filter gradient alike
 *   + DFT multiply-adds / gemmRate                    the Fourier path's transforms (plain 2-D GEMMs)
 *   + spectral product multiply-adds / batchedGemmRate (dense) or elementwise work / elementwiseRate
 *   + elements moved (transposes, adds, pads) / elementwiseRate
 *
 * with per-backend constants measured by bench/mixture-conv.bench.ts (see BACKEND_COSTS). The choice is a pure
 * function of the layer, the input shape and the backend, so runs are reproducible: nothing is timed at run time.
 */
import type { Pair } from './conv-core.ts';
import { aggregateAxis, lastOffset, reachableTaps, type AxisTaps } from './conv-geometry.ts';
import { circleLength } from './fourier-conv.ts';
import type { MixtureConvConfig } from './mixture-types.ts';
import type { MixtureMethod } from '../../../shared/engine/index.ts';

export interface BackendCosts {
  /** Fixed cost of one tfjs op, microseconds. */
  opMicros: number;
  /** Multiply-adds per microsecond of dense convolutions with many input channels (scaled by cin / (cin + 4):
   * a GEMM with a short contraction runs far below peak, e.g. the 1-channel stem). */
  denseConvRate: number;
  /** Multiply-adds per microsecond of depthwise convolutions. */
  depthwiseConvRate: number;
  /** Multiply-adds per microsecond of large 2-D matrix products (the DFTs). */
  gemmRate: number;
  /** Multiply-adds per microsecond of many small matrix products (the dense spectral product). */
  batchedGemmRate: number;
  /** Elements per microsecond of elementwise ops, transposes, pads and slices. */
  elementwiseRate: number;
}

/**
 * Fitted to bench/mixture-conv.bench.ts --explain on the project's 2-core machine (tfjs 4.22; 16x52 and
 * 1000-long inputs); with them the model picks the measured fastest method, or one within 10% of it, on all ten
 * DASH layers of the benchmark on both backends:
 * - wasm (batch 32, 2 threads, SIMD): XNNPACK dense conv ~3 G multiply-adds/s with 1 input channel and ~20 G/s
 *   with 16-32, depthwise conv 1.2 G/s, a [16k, 52] x [52, 52] GEMM ~6 G/s, 1600 batched [32, 32] x [32, 64]
 *   products ~1 G/s, elementwise ops and transposes ~300 M elements/s, 40-80 us per op.
 * - cpu (pure JS, batch 4): dense conv ~1.5 G/s with 16 input channels, depthwise ~0.15 G/s, the DFT matrix
 *   products and the small batched products 0.1-0.15 G/s, elementwise ~60 M/s, ~150 us per op: dilation-grouped
 *   wins every layer there, the Fourier path never does.
 * - tensorflow (native; not measurable here): the wasm rates scaled by the usual native/wasm ratio; only the
 *   ranking matters.
 */
export const BACKEND_COSTS: Record<string, BackendCosts> = {
  wasm: { opMicros: 60, denseConvRate: 25000, depthwiseConvRate: 1200, gemmRate: 6000, batchedGemmRate: 1000, elementwiseRate: 300 },
  cpu: { opMicros: 150, denseConvRate: 2000, depthwiseConvRate: 150, gemmRate: 150, batchedGemmRate: 100, elementwiseRate: 60 },
  tensorflow: { opMicros: 20, denseConvRate: 60000, depthwiseConvRate: 5000, gemmRate: 30000, batchedGemmRate: 5000, elementwiseRate: 1500 },
};

export interface MethodEstimate {
  method: MixtureMethod;
  micros: number;
  ops: number;
  multiplyAdds: number;
}

function patternTaps(config: MixtureConvConfig, kernel: number, dilation: number, size: Pair): [AxisTaps, AxisTaps] {
  const w = reachableTaps(kernel, dilation, size[1], 'same');
  const h = config.rank === 1 ? { start: 0, count: 1, step: 1, firstOffset: 0 } : reachableTaps(kernel, dilation, size[0], 'same');
  return [h, w];
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Estimated forward + backward time of each method for this layer, batch and input size on a backend. */
export function estimateMixtureCosts(config: MixtureConvConfig, batch: number, size: Pair, backend: string): MethodEstimate[] {
  const costs = BACKEND_COSTS[backend] ?? BACKEND_COSTS.wasm!;
  const { inChannels: cin, outChannels: cout, depthwise } = config;
  const out: Pair = config.rank === 1 ? [1, Math.ceil(size[1] / config.stride)] : [Math.ceil(size[0] / config.stride), Math.ceil(size[1] / config.stride)];
  const outputSize = batch * out[0] * out[1] * cout;
  const inputSize = batch * size[0] * size[1] * cin;
  const convRate = depthwise ? costs.depthwiseConvRate : (costs.denseConvRate * cin) / (cin + 4);
  /** Forward + input gradient + filter gradient of one conv with kh x kw taps. */
  const convMacs = (kh: number, kw: number): number => 3 * outputSize * kh * kw * (depthwise ? 1 : cin);
  const weightSize = (kh: number, kw: number): number => kh * kw * cin * (depthwise ? 1 : cout);

  const reached = config.patterns.map((p) => patternTaps(config, p.kernel, p.dilation, size)).filter(([h, w]) => h.count > 0 && w.count > 0);
  const grids = new Map<string, Array<[AxisTaps, AxisTaps]>>();
  for (const t of reached) {
    const key = `${t[0].step}:${mod(t[0].firstOffset, t[0].step)}|${t[1].step}:${mod(t[1].firstOffset, t[1].step)}`;
    grids.set(key, [...(grids.get(key) ?? []), t]);
  }
  const spans = [...grids.values()].map((members) =>
    [0, 1].map((axis) => {
      const first = Math.min(...members.map((m) => m[axis]!.firstOffset));
      const last = Math.max(...members.map((m) => lastOffset(m[axis]!)));
      return (last - first) / members[0]![axis]!.step + 1;
    }) as Pair,
  );
  const maxExtent = Math.max(...config.patterns.map((p) => p.dilation * (p.kernel - 1) + 1));
  const aggH = config.rank === 1 ? aggregateAxis(1, 1) : aggregateAxis(maxExtent, size[0]);
  const aggW = aggregateAxis(maxExtent, size[1]);

  const estimates: MethodEstimate[] = [];
  const add = (method: MixtureMethod, ops: number, convMultiplyAdds: number, otherMicros: number, moved: number): void => {
    estimates.push({
      method,
      ops,
      multiplyAdds: convMultiplyAdds,
      micros: ops * costs.opMicros + convMultiplyAdds / convRate + otherMicros + moved / costs.elementwiseRate,
    });
  };

  // Scaling each pattern's weights (forward and backward) is common to all methods.
  const patternWeights = reached.reduce((s, [h, w]) => s + weightSize(h.count, w.count), 0);
  // Per pattern: slice + scale forward, their gradients backward.
  const patternOps = 5 * reached.length;

  // One conv per pattern, outputs summed (and dy fanned out) at output size.
  add('per-pattern', patternOps + 4 * reached.length + 4, reached.reduce((s, [h, w]) => s + convMacs(h.count, w.count), 0), 0, 2 * patternWeights + reached.length * outputSize);

  // One conv per tap grid, after summing the patterns into it (pads forward, slices backward).
  const groupWeights = spans.reduce((s, [kh, kw]) => s + weightSize(kh, kw), 0);
  const groupedMoved = 2 * patternWeights + 2 * reached.length * groupWeights / Math.max(1, spans.length) + spans.length * outputSize;
  add('dilation-grouped', patternOps + 2 * reached.length + 5 * spans.length + 4, spans.reduce((s, [kh, kw]) => s + convMacs(kh, kw), 0), 0, groupedMoved);

  // Grouped kernels dilated into the cropped S-kernel: ~10 ops and a few copies of the big kernel per group.
  const aggregateWeights = weightSize(aggH.size, aggW.size);
  const assemblyOps = patternOps + 2 * reached.length + 12 * spans.length;
  const assemblyMoved = groupedMoved - spans.length * outputSize + 6 * spans.length * aggregateWeights;
  add('aggregated', assemblyOps + 6, convMacs(aggH.size, aggW.size), 0, assemblyMoved);

  // Fourier: transforms of x, the kernel and the output (forward); of dy, dx and dK (backward).
  const lh = config.rank === 1 ? 1 : circleLength(size[0], aggH.size, aggH.firstOffset);
  const lw = circleLength(size[1], aggW.size, aggW.firstOffset);
  const fw = Math.floor(lw / 2) + 1;
  const bins = lh * fw;
  const skipH = lh === 1;
  const forwardMacs = (b: number, nh: number, nw: number): number => (skipH ? 2 * b * nw * fw : 2 * b * nw * nh * lh + 4 * b * lh * nw * fw);
  const inverseMacs = (b: number, mh: number, mw: number): number => (skipH ? 2 * b * fw * mw : 4 * b * fw * lh * mh + 2 * b * mh * fw * mw);
  const forwardMoved = (b: number, nh: number, nw: number): number => b * nh * nw + (skipH ? 0 : 2 * b * nw * lh) + 2 * b * bins;
  const inverseMoved = (b: number, mh: number, mw: number): number => (skipH ? 0 : 2 * b * bins + 2 * b * fw * mh) + b * mh * mw;
  const bIn = batch * cin;
  const bOut = batch * cout;
  const kernelSignals = cin * (depthwise ? 1 : cout);
  const [h, w] = size;
  const dftMacs =
    forwardMacs(bIn, h, w) + forwardMacs(bOut, h, w) + forwardMacs(kernelSignals, aggH.size, aggW.size) +
    inverseMacs(bOut, h, w) + inverseMacs(bIn, h, w) + inverseMacs(kernelSignals, aggH.size, aggW.size);
  const spectralMoved =
    forwardMoved(bIn, h, w) + forwardMoved(bOut, h, w) + forwardMoved(kernelSignals, aggH.size, aggW.size) +
    inverseMoved(bOut, h, w) + inverseMoved(bIn, h, w) + inverseMoved(kernelSignals, aggH.size, aggW.size);
  // Dense: three per-frequency block products (forward, dx, dK) plus the frequency-major copies around them.
  // Depthwise: six elementwise passes per product over N*C*F, three products.
  const productMicros = depthwise ? 0 : (3 * bins * batch * 2 * cin * 2 * cout) / costs.batchedGemmRate;
  const productMoved = depthwise ? 18 * batch * cin * bins : 8 * bins * (batch * 2 * (cin + cout) + 4 * cin * cout);
  const sampled = config.stride > 1 ? 2 * batch * h * w * cout : 0;
  add('fft', assemblyOps + 140, 0, dftMacs / costs.gemmRate + productMicros, assemblyMoved + spectralMoved + productMoved + sampled);
  return estimates;
}

/** The method with the smallest estimated training-step time. */
export function chooseMixtureMethod(config: MixtureConvConfig, batch: number, size: Pair, backend: string): MixtureMethod {
  const estimates = estimateMixtureCosts(config, batch, size, backend);
  let best = estimates[0]!;
  for (const e of estimates) if (e.micros < best.micros) best = e;
  return best.method;
}
