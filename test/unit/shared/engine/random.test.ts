import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../src/shared/engine/index.ts';

describe('SeededRandom', () => {
  it('gives the same stream for the same seed and different streams for different seeds', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sa = Array.from({ length: 16 }, () => a.nextUint32());
    const sb = Array.from({ length: 16 }, () => b.nextUint32());
    const sc = Array.from({ length: 16 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('has uniform, normal and Gumbel moments close to theory over 200k draws', () => {
    const r = new SeededRandom(1);
    const n = 200_000;
    let su = 0, sn = 0, sn2 = 0, sg = 0;
    for (let i = 0; i < n; i++) {
      su += r.uniform();
      const z = r.normal();
      sn += z;
      sn2 += z * z;
      sg += r.gumbel();
    }
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(0, 1);
    expect(sn2 / n).toBeCloseTo(1, 1);
    // Mean of Gumbel(0,1) is the Euler-Mascheroni constant.
    expect(sg / n).toBeCloseTo(0.5772, 1);
  });

  it('permutation contains every index once', () => {
    const p = Array.from(new SeededRandom(3).permutation(1000)).sort((x, y) => x - y);
    expect(p).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('restores from its state mid-stream', () => {
    const r = new SeededRandom(11);
    r.normal();
    const saved = r.state();
    const next = [r.normal(), r.uniform(), r.nextUint32()];
    const restored = SeededRandom.fromState(saved);
    expect([restored.normal(), restored.uniform(), restored.nextUint32()]).toEqual(next);
  });

  it('forked streams are independent of later draws on the parent', () => {
    const a = new SeededRandom(5);
    const b = new SeededRandom(5);
    const fa = a.fork('init');
    const fb = b.fork('init');
    a.uniform();
    expect(fa.nextUint32()).toBe(fb.nextUint32());
  });

  it('refuses a non-finite seed', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed must be a finite number/);
  });
});
