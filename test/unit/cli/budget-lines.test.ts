import { describe, expect, it } from 'vitest';
import { budgetLines } from '../../../src/cli/overrides.ts';
import { PRESETS, resolveConfig } from '../../../src/shared/engine/index.ts';

describe('budgetLines (what pdash run prints before the runs start)', () => {
  it("says a budget in steps and its warm-up, and P-DASH's rounds after the warm-up", () => {
    const lines = budgetLines(PRESETS.quick, ['dash', 'pdash']);
    expect(lines).toContain('  search     epochs 8 (the first 1 weights only), batch size 32, 25 steps per epoch');
    expect(lines).toContain('  P-DASH     3 rounds keeping 0.5, epochs per round 4 (the warm-up before round 1)');
  });

  it("says DASH's share of the batches when the budget is in epochs", () => {
    const lines = budgetLines(resolveConfig('paper', { pdash: { roundEpochs: 7 } }), ['pdash']);
    expect(lines).toContain("  search     epochs 100, batch size the task's default, 20% of the batches per epoch");
    expect(lines).toContain('  P-DASH     3 rounds keeping 0.5, epochs per round 7');
  });
});
