import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { memoryArraySource, readWholeArray, type ArraySource } from '../../../../../src/array-io/array-source.ts';
import { openNpy } from '../../../../../src/array-io/npy.ts';
import type { ImportInput } from '../../../../../src/main/core/datasets/import-pipeline.ts';
import { DatasetRegistry } from '../../../../../src/main/core/datasets/registry.ts';
import { ensureLabFolder } from '../../../../../src/main/core/lab-folder.ts';
import { openLabDatabase, type LabDatabase } from '../../../../../src/main/core/log/database.ts';
import { writeNpyFile } from '../../../../helpers/npy.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let db: LabDatabase;
let registry: DatasetRegistry;
let datasetsDir: string;

beforeEach(() => {
  dir = tempDir();
  const paths = ensureLabFolder(dir.path);
  datasetsDir = paths.datasets;
  db = openLabDatabase(paths.database).db;
  registry = new DatasetRegistry(db, paths);
});
afterEach(() => {
  db.close();
  dir.remove();
});

/** A 1-D classification split: n samples of length 6 with 2 channels; sample i holds values i*100 + j. */
function classificationSplit(name: string, n: number, classes: number, offset = 0): { x: ArraySource; y: ArraySource } {
  const x = new Float32Array(n * 6 * 2).map((_, j) => (offset + Math.floor(j / 12)) * 100 + (j % 12));
  const y = new Int32Array(n).map((_, i) => (offset + i) % classes);
  return { x: memoryArraySource(`${name}-x.npy`, x, [n, 6, 2], 'float32'), y: memoryArraySource(`${name}-y.npy`, y, [n], 'int32') };
}

function input(overrides: Partial<ImportInput> = {}): ImportInput {
  return { kind: 'classification', train: classificationSplit('train', 40, 4), test: classificationSplit('test', 10, 4, 1000), classes: 4, valFraction: 0.25, valSeed: 3, ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<LabError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LabError) return error;
    throw error;
  }
  throw new Error('expected a LabError');
}

function nothingLeft(): void {
  expect(db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(0);
  expect(readdirSync(datasetsDir)).toEqual([]);
}

describe('DatasetRegistry.register', () => {
  it('stores every split as .npy, carves val from train with its seed, and records the row', async () => {
    const summary = await registry.register({ name: 'toy', input: input(), source: { type: 'files', detail: 'test arrays' } });
    expect(summary).toMatchObject({ name: 'toy', kind: 'classification', rank: 1, xShape: [6, 2], yShape: [], classes: 4, splits: { train: 30, val: 10, test: 10 }, valCarved: { seed: 3, fraction: 0.25 } });
    const record = registry.get('toy');
    const trainX = await readWholeArray(await openNpy(record.files.train.x));
    const valX = await readWholeArray(await openNpy(record.files.val.x));
    // Every original train sample is in exactly one of train and val, in its original order.
    const firstValues = (a: ArrayLike<number>, n: number) => Array.from({ length: n }, (_, i) => a[i * 12]! / 100);
    const trainIds = firstValues(trainX, 30);
    const valIds = firstValues(valX, 10);
    expect([...trainIds, ...valIds].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(trainIds).toEqual([...trainIds].sort((a, b) => a - b));
    const trainY = await readWholeArray(await openNpy(record.files.train.y));
    expect(Array.from(trainY)).toEqual(trainIds.map((i) => i % 4));
    expect(record.classCounts?.test).toEqual([3, 3, 2, 2]);
    // Per-channel statistics over the stored train split.
    const mean = await readWholeArray(await openNpy(join(record.folder, record.normalization.x.meanFile)));
    const channel0 = Array.from(trainX).filter((_, j) => j % 2 === 0);
    expect(mean[0]).toBeCloseTo(channel0.reduce((a, b) => a + b, 0) / channel0.length, 2);
  });

  it('gives the same content hash for the same content and refuses a second import of it', async () => {
    const first = await registry.register({ name: 'a', input: input(), source: { type: 'files', detail: '' } });
    const error = await failure(registry.register({ name: 'b', input: input(), source: { type: 'files', detail: '' } }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain("already in this lab as dataset 'a'");
    expect(db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(1);
    expect(readdirSync(datasetsDir)).toEqual([first.contentHash.slice(0, 24)]);
  });

  it('a different carving seed is different content', async () => {
    const a = await registry.register({ name: 'a', input: input(), source: { type: 'files', detail: '' } });
    const b = await registry.register({ name: 'b', input: input({ valSeed: 4 }), source: { type: 'files', detail: '' } });
    expect(a.contentHash).not.toBe(b.contentHash);
  });

  it('refuses NaN with the file and the element, leaving nothing', async () => {
    const train = classificationSplit('train', 40, 4);
    const x = new Float32Array(40 * 12).fill(1);
    x[7 * 12 + 5] = Number.NaN;
    const error = await failure(registry.register({ name: 'nan', input: input({ train: { x: memoryArraySource('/data/train-x.npy', x, [40, 6, 2], 'float32'), y: train.y } }), source: { type: 'files', detail: '' } }));
    expect(error.message).toContain('/data/train-x.npy');
    expect(error.message).toContain('NaN at [7, 2, 1]');
    nothingLeft();
  });

  it('refuses Inf in regression targets', async () => {
    const y = new Float32Array(40).fill(0.5);
    y[39] = Number.POSITIVE_INFINITY;
    const x = classificationSplit('train', 40, 4).x;
    const error = await failure(registry.register({ name: 'inf', input: { kind: 'regression', train: { x, y: memoryArraySource('ty.npy', y, [40], 'float32') }, test: { x: classificationSplit('t', 5, 4).x, y: memoryArraySource('t-y.npy', new Float32Array(5), [5], 'float32') } }, source: { type: 'files', detail: '' } }));
    expect(error.message).toContain('ty.npy: value Infinity at [39]');
    nothingLeft();
  });

  it('refuses labels out of range', async () => {
    const error = await failure(registry.register({ name: 'labels', input: input({ classes: 3 }), source: { type: 'files', detail: '' } }));
    expect(error.message).toMatch(/train-y\.npy: label 3 at row 3 is out of range \(labels must be 0\.\.2\)/);
    nothingLeft();
  });

  it('refuses x and y of different lengths, naming both files', async () => {
    const a = classificationSplit('train', 40, 4);
    const b = classificationSplit('short', 39, 4);
    const error = await failure(registry.register({ name: 'len', input: input({ train: { x: a.x, y: b.y } }), source: { type: 'files', detail: '' } }));
    expect(error.message).toContain('40 samples in train-x.npy but 39 labels/targets in short-y.npy');
    nothingLeft();
  });

  it('refuses a shape the task kind cannot use', async () => {
    const flat = memoryArraySource('flat-x.npy', new Float32Array(40), [40], 'float32');
    const error = await failure(registry.register({ name: 'shape', input: input({ train: { x: flat, y: classificationSplit('t', 40, 4).y } }), source: { type: 'files', detail: '' } }));
    expect(error.message).toContain('flat-x.npy: samples of shape () cannot be used');
    nothingLeft();
  });

  it('refuses per-sample shapes that differ between splits', async () => {
    const test = { x: memoryArraySource('test-x.npy', new Float32Array(10 * 7 * 2), [10, 7, 2], 'float32'), y: classificationSplit('t', 10, 4).y };
    const error = await failure(registry.register({ name: 'mismatch', input: input({ test }), source: { type: 'files', detail: '' } }));
    expect(error.message).toContain("test split's samples have shape x (7, 2)");
    nothingLeft();
  });

  it('a file that disappears mid-import gives an error naming it, and leaves nothing', async () => {
    const files = join(dir.path, 'incoming');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(files);
    const writeNpy = (name: string, descr: '<f4' | '<i4', shape: number[], data: ArrayBufferView): string => writeNpyFile(join(files, name), descr, shape, data);
    const trainX = writeNpy('train-x.npy', '<f4', [40, 6, 2], new Float32Array(480).fill(1));
    const trainY = writeNpy('train-y.npy', '<i4', [40], new Int32Array(40));
    const testX = writeNpy('test-x.npy', '<f4', [10, 6, 2], new Float32Array(120));
    const testY = writeNpy('test-y.npy', '<i4', [10], new Int32Array(10));
    const sources = { train: { x: await openNpy(trainX), y: await openNpy(trainY) }, test: { x: await openNpy(testX), y: await openNpy(testY) } };
    const error = await failure(
      registry.register({
        name: 'vanishing',
        input: { kind: 'classification', classes: 4, ...sources },
        source: { type: 'files', detail: '' },
        onProgress: (p) => {
          if (p.split === 'train' && p.rowsDone === p.rowsTotal) rmSync(testX);
        },
      }),
    );
    expect(error.message).toContain(testX);
    expect(error.hint).toContain('nothing was stored');
    nothingLeft();
  });

  it('refuses a taken name before doing any work', async () => {
    await registry.register({ name: 'toy', input: input(), source: { type: 'files', detail: '' } });
    const error = await failure(registry.register({ name: 'toy', input: input({ valSeed: 9 }), source: { type: 'files', detail: '' } }));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain("named 'toy' already exists");
  });

  it('a cancelled import leaves nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await failure(registry.register({ name: 'cancelled', input: input(), source: { type: 'files', detail: '' }, signal: controller.signal }));
    expect(error.code).toBe('cancelled');
    nothingLeft();
  });
});

describe('DatasetRegistry list, get, remove', () => {
  it('pages newest first, and remove deletes the row and the files', async () => {
    await registry.register({ name: 'one', input: input(), source: { type: 'files', detail: '' } });
    await registry.register({ name: 'two', input: input({ valSeed: 5 }), source: { type: 'generated', detail: 'x' } });
    const page = registry.list(0, 1);
    expect(page.total).toBe(2);
    expect(page.items.map((d) => d.name)).toEqual(['two']);
    const removed = await registry.remove('two');
    expect(removed.name).toBe('two');
    expect(registry.list().items.map((d) => d.name)).toEqual(['one']);
    expect(readdirSync(datasetsDir)).toHaveLength(1);
    await expect(registry.remove('two')).rejects.toThrow("No dataset named 'two'");
  });

  it('sweeps partial folders of dead processes only', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(datasetsDir, `.partial-${process.pid}-aaaa`));
    mkdirSync(join(datasetsDir, '.partial-999999999-bbbb'));
    expect(registry.sweepAbandonedImports()).toBe(1);
    expect(readdirSync(datasetsDir)).toEqual([`.partial-${process.pid}-aaaa`]);
  });
});

describe('DatasetRegistry: imports of the same content at once (issue #10)', () => {
  /** A registry whose imports all wait, validated and about to move into place, until `count` of them are there. */
  function heldRegistry(count: number): DatasetRegistry {
    let arrived = 0;
    let release: () => void = () => {};
    const allThere = new Promise<void>((resolve) => (release = resolve));
    return new DatasetRegistry(db, ensureLabFolder(dir.path), {
      beforeMove: () => {
        arrived += 1;
        if (arrived === count) release();
        return allThere;
      },
    });
  }

  it('six imports reaching the move together: exactly one wins, the others get the conflict, the winner is whole', async () => {
    const held = heldRegistry(6);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => held.register({ name: `copy-${i}`, input: input(), source: { type: 'files', detail: '' } })));
    const winners = outcomes.filter((o) => o.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<DatasetRegistry['register']>>>).value;
    for (const o of outcomes) {
      if (o.status === 'fulfilled') continue;
      expect(o.reason).toBeInstanceOf(LabError);
      expect((o.reason as LabError).code).toBe('conflict');
      expect((o.reason as LabError).message).toBe(`The same content is already in this lab as dataset '${winner.name}' (id ${winner.id}); nothing was imported.`);
    }
    const record = registry.get(winner.id);
    for (const split of ['train', 'val', 'test'] as const) {
      expect((await readWholeArray(await openNpy(record.files[split].x))).length).toBe(record.splits[split] * 12);
      expect((await readWholeArray(await openNpy(record.files[split].y))).length).toBe(record.splits[split]);
    }
    expect(readdirSync(datasetsDir)).toEqual([winner.contentHash.slice(0, 24)]);
    expect(db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(1);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('a hash folder with no row (a crash between move and commit) is replaced by the next import of that content', async () => {
    const first = await registry.register({ name: 'first', input: input(), source: { type: 'files', detail: '' } });
    const folder = first.contentHash.slice(0, 24);
    // Drop the row behind the registry's back: the folder is now what a dead process leaves.
    db.prepare('DELETE FROM datasets WHERE id = ?').run(first.id);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(datasetsDir, folder, 'stray'), 'left by a crash');
    const again = await registry.register({ name: 'again', input: input(), source: { type: 'files', detail: '' } });
    expect(readdirSync(datasetsDir)).toEqual([folder]);
    expect(readdirSync(join(datasetsDir, folder))).not.toContain('stray');
    expect((await readWholeArray(await openNpy(registry.get(again.id).files.train.x))).length).toBe(30 * 12);
  });

  it('the sweep removes hash folders no row names, and never one with a row', async () => {
    const kept = await registry.register({ name: 'kept', input: input(), source: { type: 'files', detail: '' } });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(datasetsDir, 'ab'.repeat(12)));
    mkdirSync(join(datasetsDir, 'not-a-hash-folder'));
    expect(registry.sweepAbandonedImports()).toBe(1);
    expect(readdirSync(datasetsDir).sort()).toEqual([kept.contentHash.slice(0, 24), 'not-a-hash-folder'].sort());
    expect((await readWholeArray(await openNpy(registry.get('kept').files.test.x))).length).toBe(10 * 12);
  });
});
