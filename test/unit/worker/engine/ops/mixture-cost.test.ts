import { describe, expect, it } from 'vitest';
import { chooseMixtureMethod, estimateMixtureCosts } from '../../../../../src/worker/engine/ops/mixture-cost.ts';
import type { MixtureConvConfig } from '../../../../../src/worker/engine/ops/mixture-types.ts';
import { MIXTURE_METHODS, patternSpace } from '../../../../../src/shared/engine/index.ts';

const wrn = (cin: number, cout: number, stride = 1): MixtureConvConfig => ({
  rank: 2, inChannels: cin, outChannels: cout, stride, patterns: patternSpace([3, 5, 7, 9], [1, 3, 7, 15]), depthwise: cin === cout, bias: true,
});
const ecg = (cin: number, cout: number): MixtureConvConfig => ({
  rank: 1, inChannels: cin, outChannels: cout, stride: 1, patterns: patternSpace([3, 5, 7, 9, 11], [1, 3, 7, 15]), depthwise: cin === cout, bias: true,
});

describe('mixture cost model', () => {
  it('estimates every method, positive, and picks the cheapest', () => {
    const estimates = estimateMixtureCosts(wrn(16, 32), 32, [16, 52], 'wasm');
    expect(estimates.map((e) => e.method).sort()).toEqual([...MIXTURE_METHODS].sort());
    for (const e of estimates) expect(e.micros).toBeGreaterThan(0);
    const cheapest = estimates.reduce((a, b) => (b.micros < a.micros ? b : a));
    expect(chooseMixtureMethod(wrn(16, 32), 32, [16, 52], 'wasm')).toBe(cheapest.method);
  });

  it('x=[32,16,52,16] K={3,5,7,9} D={1,3,7,15} depthwise on wasm: Fourier (measured 0.26-0.35x of per-pattern)', () => {
    expect(chooseMixtureMethod(wrn(16, 16), 32, [16, 52], 'wasm')).toBe('fft');
  });

  it('x=[32,1000,4] K={3..11} D={1,3,7,15} (1-D) on wasm and every DASH layer on cpu: dilation-grouped, never Fourier on cpu', () => {
    expect(chooseMixtureMethod(ecg(4, 4), 32, [1, 1000], 'wasm')).toBe('dilation-grouped');
    for (const [config, size] of [[wrn(1, 16), [16, 52]], [wrn(16, 16), [16, 52]], [wrn(32, 64), [8, 26]], [ecg(4, 8), [1, 1000]]] as const) {
      expect(chooseMixtureMethod(config, 4, [size[0], size[1]], 'cpu')).not.toBe('fft');
    }
  });

  it('cropping shows: the same layer on a 4x13 map costs less than on 16x52, and the aggregated kernel most of all', () => {
    const big = estimateMixtureCosts(wrn(16, 16), 32, [16, 52], 'wasm');
    const small = estimateMixtureCosts(wrn(16, 16), 32, [4, 13], 'wasm');
    for (const method of MIXTURE_METHODS) {
      expect(small.find((e) => e.method === method)!.micros).toBeLessThan(big.find((e) => e.method === method)!.micros);
    }
    const byMethod = Object.fromEntries(big.map((e) => [e.method, e.micros]));
    expect(byMethod.aggregated).toBeGreaterThan(byMethod['per-pattern']!);
  });
});
