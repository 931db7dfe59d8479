import { describe, expect, it } from 'vitest';
import { hpConfigurations, PRESETS, resolveConfig } from '../../../../src/shared/engine/index.ts';

describe('presets and overrides', () => {
  it('paper holds the reference budgets', () => {
    const p = resolveConfig('paper');
    expect([p.search.epochs, p.hpSearch.epochs, p.retrain.epochs]).toEqual([100, 80, 200]);
    expect(p.search.batchFraction).toBe(0.2);
    expect([p.search.widthFactor, p.retrain.widthFactor]).toEqual([1, 4]);
    expect(hpConfigurations(p.hpSearch.grid)).toHaveLength(24);
    expect(p.custom).toBe(false);
  });

  it('the HP grid is lr-major', () => {
    const hp = hpConfigurations(PRESETS.paper.hpSearch.grid);
    expect(hp.slice(0, 8).every((h) => h.lr === 0.1)).toBe(true);
    expect(hp[8]!.lr).toBe(0.01);
    expect(hp[1]).toEqual({ lr: 0.1, dropout: 0, weightDecay: 5e-4, momentum: 0.99 });
  });

  it('a custom budget is a preset plus overrides at any depth', () => {
    const c = resolveConfig('quick', { retrain: { epochs: 30 }, hpSearch: { grid: { lr: [0.05], dropout: [0], weightDecay: [0], momentum: [0.9] } } });
    expect(c.retrain.epochs).toBe(30);
    expect(c.retrain.widthFactor).toBe(PRESETS.quick.retrain.widthFactor);
    expect(c.hpSearch.grid.lr).toEqual([0.05]);
    expect(c.preset).toBe('quick');
    expect(c.custom).toBe(true);
    expect(PRESETS.quick.retrain.epochs).not.toBe(30);
  });

  it("is not custom when the overrides restate the preset's values (the lab always sends the selection)", () => {
    expect(resolveConfig('quick', { selection: 'argmax' }).custom).toBe(false);
    expect(resolveConfig('quick', { selection: 'perturbation' }).custom).toBe(true);
    expect(resolveConfig('smoke', { search: { epochs: PRESETS.smoke.search.epochs } }).custom).toBe(false);
  });

  it('refuses unknown settings and bad values, naming them', () => {
    expect(() => resolveConfig('smoke', { search: { epoch: 3 } as never })).toThrow(/unknown setting search\.epoch/);
    expect(() => resolveConfig('smoke', { search: { batchFraction: 0 } })).toThrow(/search\.batchFraction must be in \(0, 1\]/);
    expect(() => resolveConfig('smoke', { retrain: { milestones: [5, 3] } })).toThrow(/retrain\.milestones must be increasing/);
    expect(() => resolveConfig('smoke', { hpSearch: { grid: { lr: [], dropout: [0], weightDecay: [0], momentum: [0] } } })).toThrow(/hpSearch\.grid\.lr must not be empty/);
  });

  it('P-DASH, selection and random-baseline settings have defaults and are checked', () => {
    const q = resolveConfig('quick');
    expect(q.selection).toBe('argmax');
    expect(q.pdash).toEqual({ rounds: 3, keepFraction: 0.5, schedule: null, roundEpochs: null });
    expect(q.search.mixtureMethod).toBe('dilation-grouped');
    expect(resolveConfig('smoke').pdash.rounds).toBe(2);
    const c = resolveConfig('quick', { selection: 'perturbation', pdash: { schedule: [16, 4, 1] }, random: { samples: 5 } });
    expect([c.selection, c.pdash.schedule, c.pdash.rounds, c.random.samples]).toEqual(['perturbation', [16, 4, 1], 3, 5]);
    expect(() => resolveConfig('quick', { selection: 'best' as never })).toThrow(/selection must be one of argmax, perturbation/);
    expect(() => resolveConfig('quick', { pdash: { schedule: [16, 8, 4] } })).toThrow(/pdash\.schedule must list strictly decreasing candidate counts ending at 1/);
    expect(() => resolveConfig('quick', { pdash: { schedule: [16, 16, 1] } })).toThrow(/pdash\.schedule/);
    expect(() => resolveConfig('quick', { pdash: { keepFraction: 1 } })).toThrow(/pdash\.keepFraction must be in \(0, 1\)/);
    expect(() => resolveConfig('quick', { pdash: { roundEpochs: 0 } })).toThrow(/pdash\.roundEpochs must be a positive integer/);
    expect(() => resolveConfig('quick', { perturbation: { tuneLrFactor: 0 } })).toThrow(/perturbation\.tuneLrFactor/);
    expect(() => resolveConfig('quick', { random: { epochsPerSample: 0 } })).toThrow(/random\.epochsPerSample/);
  });
});
