import { describe, expect, it } from 'vitest';
import { buildImportRequest, emptyImportFields } from '../../../../../src/renderer/modules/datasets/import-request.ts';

const filled = { ...emptyImportFields(), name: ' toy ', trainX: '/d/tx.npy', trainY: '/d/ty.npy', testX: '/d/sx.npy', testY: ' /d/sy.npy ' };

describe('buildImportRequest', () => {
  it('carves validation from train by default, with the fraction and seed', () => {
    expect(buildImportRequest(filled)).toEqual({
      ok: true,
      request: { name: 'toy', kind: 'classification', trainX: '/d/tx.npy', trainY: '/d/ty.npy', testX: '/d/sx.npy', testY: '/d/sy.npy', valFraction: 0.1, seed: 0 },
    });
  });

  it('sends a given validation split instead, and the classes when set', () => {
    const built = buildImportRequest({ ...filled, hasValidation: true, valX: '/d/vx.npy', valY: '/d/vy.npy', classes: '4', valFraction: 'ignored' });
    expect(built).toEqual({
      ok: true,
      request: { name: 'toy', kind: 'classification', trainX: '/d/tx.npy', trainY: '/d/ty.npy', testX: '/d/sx.npy', testY: '/d/sy.npy', valX: '/d/vx.npy', valY: '/d/vy.npy', classes: 4 },
    });
  });

  it('does not send classes for dense or regression tasks', () => {
    const built = buildImportRequest({ ...filled, kind: 'dense', classes: '4' });
    expect(built.ok && 'classes' in built.request).toBe(false);
  });

  it('names every missing path and bad number', () => {
    const built = buildImportRequest({ ...emptyImportFields(), hasValidation: true, classes: '0' });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(Object.keys(built.errors).sort()).toEqual(['classes', 'name', 'testX', 'testY', 'trainX', 'trainY', 'valX', 'valY']);
    const fraction = buildImportRequest({ ...filled, valFraction: '1', seed: '-2' });
    expect(fraction.ok).toBe(false);
    if (!fraction.ok) expect(Object.keys(fraction.errors).sort()).toEqual(['seed', 'valFraction']);
  });
});
