import { describe, expect, it } from 'vitest';
import { archId, canonicalJson, defaultSearchSpace, fieldSize, gridPatterns, parseArchitectureSpec, penaltyFieldSize, sha256HexOfString, shapeOfSpec, uniformSearchSpaces, validateArchitectureSpec, type ArchitectureSpec } from '../../../../src/shared/engine/index.ts';
import { architectureCost, supernetForwardFlops } from '../../../../src/worker/engine/arch/cost.ts';

function wrnSpec(overrides: Partial<ArchitectureSpec> = {}): ArchitectureSpec {
  return {
    backbone: 'wrn',
    rank: 2,
    inChannels: 1,
    outputs: 18,
    widthFactor: 1,
    padding: 'same',
    layers: Array.from({ length: 13 }, (_, layer) => ({ layer, kernel: 3, dilation: 1 })),
    ...overrides,
  };
}

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(sha256HexOfString('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256HexOfString('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256HexOfString('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    // 1,000,000 x 'a' crosses many blocks.
    expect(sha256HexOfString('a'.repeat(1_000_000))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members and refuses non-JSON values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 2, y: undefined, x: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"x":null,"z":2}]},"b":1}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/no JSON form/);
  });
});

describe('architecture spec', () => {
  it('has an id that ignores key order and changes with any choice', () => {
    const a = wrnSpec();
    const reordered = JSON.parse(JSON.stringify({ layers: a.layers, padding: 'same', widthFactor: 1, outputs: 18, inChannels: 1, rank: 2, backbone: 'wrn' })) as unknown;
    expect(archId(parseArchitectureSpec(reordered))).toBe(archId(a));
    expect(archId(a)).toMatch(/^[0-9a-f]{16}$/);
    const changed = wrnSpec();
    changed.layers[7] = { layer: 7, kernel: 5, dilation: 3 };
    expect(archId(changed)).not.toBe(archId(a));
    expect(archId(wrnSpec({ widthFactor: 4 }))).not.toBe(archId(a));
  });

  it('ignores members a spec does not have when parsing', () => {
    const withExtra = { ...wrnSpec(), note: 'hello' };
    expect(archId(parseArchitectureSpec(withExtra))).toBe(archId(wrnSpec()));
  });

  it('names what is wrong', () => {
    expect(() => validateArchitectureSpec(wrnSpec({ layers: wrnSpec().layers.slice(1) }))).toThrow(/13 searchable layers, got 12/);
    expect(() => validateArchitectureSpec(wrnSpec({ rank: 1 }))).toThrow(/rank 2/);
    expect(() => validateArchitectureSpec(wrnSpec({ padding: 'causal' }))).toThrow(/causal padding applies to 1-D/);
    const bad = wrnSpec();
    bad.layers[3] = { layer: 3, kernel: 0, dilation: 1 };
    expect(() => validateArchitectureSpec(bad)).toThrow(/layers\[3\]\.kernel/);
    expect(() => parseArchitectureSpec('x')).toThrow(/expected an object/);
  });
});

describe('search space', () => {
  it('is kernel-major with DASH defaults', () => {
    const p = gridPatterns(defaultSearchSpace(2));
    expect(p).toHaveLength(16);
    expect(p[1]).toEqual({ kernel: 3, dilation: 3 });
    expect(p[4]).toEqual({ kernel: 5, dilation: 1 });
    expect(gridPatterns(defaultSearchSpace(1))).toHaveLength(20);
    expect(fieldSize({ kernel: 9, dilation: 15 })).toBe(121);
    expect(penaltyFieldSize({ kernel: 9, dilation: 15 }, true)).toBe(90);
    expect(() => gridPatterns({ kernels: [3, 3], dilations: [1] })).toThrow(/must not repeat/);
  });
});

describe('architectureCost', () => {
  it('counts WRN-16-1 (3x3 everywhere, 1 input channel, 10 classes) like a hand count', () => {
    const spec = wrnSpec({ outputs: 10 });
    const conv = (k: number, cin: number, cout: number): number => k * k * cin * cout + cout;
    const bn = (c: number): number => 2 * c;
    // stem 1->16; stage1 16->16 x2 blocks; stage2 16->32 (+shortcut), 32->32; stage3 32->64 (+shortcut), 64->64
    const expected =
      conv(3, 1, 16) +
      2 * (bn(16) + conv(3, 16, 16) + bn(16) + conv(3, 16, 16)) +
      (bn(16) + conv(3, 16, 32) + bn(32) + conv(3, 32, 32) + conv(1, 16, 32)) +
      (bn(32) + conv(3, 32, 32) + bn(32) + conv(3, 32, 32)) +
      (bn(32) + conv(3, 32, 64) + bn(64) + conv(3, 64, 64) + conv(1, 32, 64)) +
      (bn(64) + conv(3, 64, 64) + bn(64) + conv(3, 64, 64)) +
      bn(64) +
      (64 * 10 + 10);
    const cost = architectureCost(spec, [16, 52]);
    expect(cost.parameters).toBe(expected);
    expect(cost.layers).toHaveLength(13);
    // the stem sees 16x52 positions; the stride-2 conv2 of stage 2 outputs 8x26.
    expect(cost.layers[0]!.flops).toBe(2 * 16 * 52 * 9 * 1 * 16);
    expect(cost.layers[6]!.flops).toBe(2 * 8 * 26 * 9 * 32 * 32);
  });

  it('grows with the kernel, not with the dilation', () => {
    const base = architectureCost(wrnSpec(), [8, 8]);
    const dilated = wrnSpec();
    dilated.layers[2] = { layer: 2, kernel: 3, dilation: 7 };
    expect(architectureCost(dilated, [8, 8])).toEqual({ ...base, layers: base.layers.map((l) => (l.layer === 2 ? { ...l, dilation: 7 } : l)) });
    const wider = wrnSpec();
    wider.layers[2] = { layer: 2, kernel: 5, dilation: 1 };
    expect(architectureCost(wider, [8, 8]).parameters - base.parameters).toBe((25 - 9) * 16 * 16);
  });

  it('counts the 1-D ResNet (m=4, ECG-like: 1 channel, 4 classes)', () => {
    const spec: ArchitectureSpec = {
      backbone: 'resnet1d',
      rank: 1,
      inChannels: 1,
      outputs: 4,
      baseChannels: 4,
      padding: 'causal',
      layers: Array.from({ length: 9 }, (_, layer) => ({ layer, kernel: 3, dilation: 1 })),
    };
    const conv = (k: number, cin: number, cout: number): number => k * cin * cout + cout;
    const expected =
      conv(3, 1, 4) + conv(3, 4, 4) * 2 + 3 * 8 + conv(1, 1, 4) + 8 +
      conv(3, 4, 8) + conv(3, 8, 8) * 2 + 3 * 16 + conv(1, 4, 8) + 16 +
      conv(3, 8, 8) * 3 + 3 * 16 +
      (8 * 4 + 4);
    expect(architectureCost(spec, [1000]).parameters).toBe(expected);
  });

  it('dense prediction keeps full resolution and ends in a 1x1 conv', () => {
    const spec = wrnSpec({ backbone: 'wrn-dense', inChannels: 3, outputs: 1 });
    const cost = architectureCost(spec, [5, 5]);
    expect(cost.layers[12]!.flops).toBe(2 * 25 * 9 * 64 * 64);
  });
});

describe('compute of dilations and supernets', () => {
  it('a dilated kernel costs only the taps that reach the input (the conv paths drop the others exactly)', () => {
    const wide = wrnSpec();
    wide.layers[0] = { layer: 0, kernel: 9, dilation: 15 };
    // 'same' taps at offsets -60, -45, ..., 60: 3 of the 9 reach 16 rows (|offset| <= 15), 7 reach 52 columns (<= 51).
    expect(architectureCost(wide, [16, 52]).layers[0]!.flops).toBe(2 * 16 * 52 * (3 * 7) * 1 * 16);
    const causal: ArchitectureSpec = { backbone: 'resnet1d', rank: 1, inChannels: 1, outputs: 2, baseChannels: 4, padding: 'causal', layers: Array.from({ length: 9 }, (_, layer) => ({ layer, kernel: 5, dilation: 10 })) };
    // causal offsets 0, -10, ..., -40: only 0 and -10 reach a 12-long input.
    expect(architectureCost(causal, [12]).layers[0]!.flops).toBe(2 * 12 * 2 * 1 * 4);
  });

  it('a supernet layer costs the sum of its candidates, depthwise where Cin = Cout', () => {
    const spec = wrnSpec();
    const shape = shapeOfSpec(spec);
    const cost = architectureCost(spec, [8, 8]);
    const nonSearched = cost.flops - cost.layers.reduce((sum, l) => sum + l.flops, 0);
    // WRN-16-1: the stem (1 -> 16) and the first conv of stages 2 and 3 change width and stay dense.
    const inChannels = [1, 16, 16, 16, 16, 16, 32, 32, 32, 32, 64, 64, 64];
    const dense = new Set([0, 5, 9]);
    const depthwiseSaving = cost.layers.reduce((sum, l) => sum + (dense.has(l.layer) ? 0 : l.flops - l.flops / inChannels[l.layer]!), 0);
    const k3 = supernetForwardFlops(shape, uniformSearchSpaces({ kernels: [3], dilations: [1] }, 13), [8, 8]);
    const k5 = supernetForwardFlops(shape, uniformSearchSpaces({ kernels: [5], dilations: [1] }, 13), [8, 8]);
    const both = supernetForwardFlops(shape, uniformSearchSpaces({ kernels: [3, 5], dilations: [1] }, 13), [8, 8]);
    expect(k3).toBe(cost.flops - depthwiseSaving);
    expect(both).toBe(k3 + k5 - nonSearched);
    expect(() => supernetForwardFlops(shape, uniformSearchSpaces({ kernels: [3], dilations: [1] }, 9), [8, 8])).toThrow(/13 searchable layers, got 9/);
  });
});
