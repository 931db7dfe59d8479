import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/shared/engine/index.ts';
import { LabError } from '../../../src/shared/errors.ts';
import { forEachRowBatch, memoryArraySource } from '../../../src/array-io/array-source.ts';
import type { AxisRange } from '../../../src/array-io/slab.ts';
import { toFortranOrder } from './reference-npy.ts';

/** numpy-style basic slicing of a C-order array, element by element. */
function naiveSlab(values: number[], shape: number[], ranges: AxisRange[]): number[] {
  const index = (at: number[]) => at.reduce((flat, i, axis) => flat * shape[axis]! + i, 0);
  const out: number[] = [];
  const walk = (axis: number, at: number[]) => {
    if (axis === shape.length) {
      out.push(values[index(at)]!);
      return;
    }
    const r = ranges[axis]!;
    for (let i = r.start; i < r.stop; i += r.step ?? 1) walk(axis + 1, [...at, i]);
  };
  walk(0, []);
  return out;
}

describe('ArraySource slabs', () => {
  it('match naive slicing for 200 random shapes, selections and both storage orders', async () => {
    const rng = new SeededRandom(42);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + rng.int(4);
      const shape = Array.from({ length: rank }, () => 1 + rng.int(6));
      const count = shape.reduce((a, b) => a * b, 1);
      const values = Array.from({ length: count }, (_, i) => i * 3 - 7);
      const ranges = shape.map((d) => {
        const start = rng.int(d);
        const stop = start + 1 + rng.int(d - start);
        return { start, stop, step: 1 + rng.int(3) };
      });
      const expected = naiveSlab(values, shape, ranges);
      const c = memoryArraySource('c', Float64Array.from(values), shape, 'float64', 'C');
      const f = memoryArraySource('f', Float64Array.from(toFortranOrder(values, shape)), shape, 'float64', 'F');
      expect(Array.from(await c.readSlab(ranges)), `C ${shape} ${JSON.stringify(ranges)}`).toEqual(expected);
      expect(Array.from(await f.readSlab(ranges)), `F ${shape} ${JSON.stringify(ranges)}`).toEqual(expected);
    }
  });

  it('converts to the reported dtype and visits row batches in order', async () => {
    const source = memoryArraySource('m', Uint8Array.of(0, 2, 0, 1, 5, 0), [3, 2], 'bool');
    expect(source.dtype).toBe('bool');
    expect(Array.from(await source.readRows(0, 3))).toEqual([0, 1, 0, 1, 1, 0]);
    const seen: Array<[number, number, number[]]> = [];
    await forEachRowBatch(source, 2, (rows, first, n) => {
      seen.push([first, n, Array.from(rows)]);
    });
    expect(seen).toEqual([[0, 2, [0, 1, 0, 1]], [2, 1, [1, 0]]]);
    await expect(forEachRowBatch(source, 0, () => undefined)).rejects.toThrow(LabError);
    expect(() => memoryArraySource('m', new Float32Array(5), [2, 3], 'float32')).toThrow(/5 values do not fill shape \(2, 3\)/);
  });
});
