import { expect, it } from 'vitest';
import { throttle } from '../../../../src/main/core/throttle.ts';

it('passes at most one value per interval, the first at once and the latest on flush', () => {
  let clock = 0;
  const seen: number[] = [];
  const t = throttle((v: number) => seen.push(v), 100, () => clock);
  for (let i = 0; i < 1000; i++) {
    clock = i; // 1000 values over one second
    t.call(i);
  }
  // 0, 100, 200, ... 900: ten per second.
  expect(seen).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  t.flush();
  expect(seen.at(-1)).toBe(999);
  t.flush();
  expect(seen).toHaveLength(11);
});
