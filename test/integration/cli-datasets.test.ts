import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetDetail, DatasetSummary } from '../../src/shared/contract/datasets.ts';
import { runCli } from '../helpers/cli.ts';
import { writeNpyFile } from '../helpers/npy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let lab: string;
beforeEach(() => {
  dir = tempDir();
  lab = join(dir.path, 'lab');
});
afterEach(() => dir.remove());

/** A 2-D task: n samples of 4x5 with 2 channels, labels cycling through 3 classes. */
function writeSplit(name: string, n: number, options: { nanAt?: number; label?: number } = {}): { x: string; y: string } {
  const x = new Float32Array(n * 4 * 5 * 2).map((_, i) => Math.sin(i + name.length));
  if (options.nanAt !== undefined) x[options.nanAt] = Number.NaN;
  const y = new Int32Array(n).map((_, i) => options.label ?? i % 3);
  return { x: writeNpyFile(join(dir.path, `${name}-x.npy`), '<f4', [n, 4, 5, 2], x), y: writeNpyFile(join(dir.path, `${name}-y.npy`), '<i4', [n], y) };
}

function importArgs(train: { x: string; y: string }, test: { x: string; y: string }, name = 'gestures'): string[] {
  return ['dataset', 'import', '--lab', lab, '--name', name, '--kind', 'classification', '--train-x', train.x, '--train-y', train.y, '--test-x', test.x, '--test-y', test.y, '--json'];
}

describe('pdash dataset', () => {
  it('imports .npy files, lists, shows and removes the dataset', async () => {
    const imported = await runCli(importArgs(writeSplit('train', 50), writeSplit('test', 12)));
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const summary = DatasetSummary.parse(JSON.parse(imported.stdout));
    expect(summary).toMatchObject({ name: 'gestures', rank: 2, xShape: [4, 5, 2], classes: 3, splits: { train: 45, val: 5, test: 12 }, valCarved: { seed: 0, fraction: 0.1 } });

    const list = await runCli(['dataset', 'list', '--lab', lab]);
    expect(list.stdout).toMatch(/^1\s+gestures\s+classification\s+\(4, 5, 2\)\s+3\s+45\/5\/12\s+error/m);

    const shown = await runCli(['dataset', 'show', 'gestures', '--lab', lab, '--json', '--samples', '2']);
    const detail = DatasetDetail.parse(JSON.parse(shown.stdout));
    expect(detail.samples.filter((s) => s.split === 'test')).toHaveLength(2);
    expect(detail.samples[0]!.x).toHaveLength(40);
    expect(detail.normalization.x.mean).toHaveLength(2);
    expect(detail.classCounts!.test).toEqual([4, 4, 4]);

    const text = await runCli(['dataset', 'show', '1', '--lab', lab]);
    expect(text.stdout).toContain('carved from train: 10%, seed 0');

    const removed = await runCli(['dataset', 'remove', 'gestures', '--lab', lab]);
    expect(removed.code).toBe(0);
    expect((await runCli(['dataset', 'list', '--lab', lab, '--json'])).stdout).toContain('"total": 0');
    expect(readdirSync(join(lab, 'datasets'))).toEqual([]);
  });

  it('imports a .npz member and a CSV', async () => {
    const csv = join(dir.path, 'series.csv');
    writeFileSync(csv, 'a,b,c,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i + 1},${i + 2},${i % 2}`).join('\n') + '\n');
    const result = await runCli(['dataset', 'import', '--lab', lab, '--name', 'csv', '--kind', 'classification', '--train-x', csv, '--train-y', csv, '--test-x', csv, '--test-y', csv, '--json']);
    expect(result.stderr).toBe('');
    expect(DatasetSummary.parse(JSON.parse(result.stdout))).toMatchObject({ rank: 1, xShape: [3, 1], classes: 2 });
  });

  it.each([
    ['NaN in x', () => [writeSplit('train', 20, { nanAt: 45 }), writeSplit('test', 5)], /train-x\.npy: value NaN at \[1, 0, 2, 1\]/],
    ['a label beyond --classes', () => [writeSplit('train', 20, { label: 7 }), writeSplit('test', 5)], /label 7 at row 0 is out of range \(labels must be 0\.\.2\)/],
  ])('refuses %s: clear error, non-zero exit, nothing stored', async (_label, make, message) => {
    const [train, test] = make() as [{ x: string; y: string }, { x: string; y: string }];
    const result = await runCli([...importArgs(train, test), '--classes', '3']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(readdirSync(join(lab, 'datasets'))).toEqual([]);
    expect((await runCli(['dataset', 'list', '--lab', lab, '--json'])).stdout).toContain('"total": 0');
  });

  it('refuses a truncated file and a file that is not .npy, naming it', async () => {
    const train = writeSplit('train', 20);
    const test = writeSplit('test', 5);
    const { truncateSync } = await import('node:fs');
    truncateSync(test.x, 200);
    const truncated = await runCli(importArgs(train, test));
    expect(truncated.code).not.toBe(0);
    expect(truncated.stderr).toContain(test.x);
    const notNpy = join(dir.path, 'notes.npy');
    writeFileSync(notNpy, 'hello, this is text');
    const bad = await runCli(importArgs({ x: notNpy, y: train.y }, writeSplit('test2', 5)));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain(notNpy);
    expect(readdirSync(join(lab, 'datasets'))).toEqual([]);
  });

  it('names a missing file and missing options', async () => {
    const train = writeSplit('train', 20);
    const missing = await runCli(importArgs(train, { x: join(dir.path, 'nope.npy'), y: train.y }));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('nope.npy: no such file');
    const incomplete = await runCli(['dataset', 'import', '--lab', lab, '--name', 'x']);
    expect(incomplete.code).toBe(2);
    expect(incomplete.stderr).toContain('missing --kind, --train-x');
  });

  it('detects the same content imported twice and keeps the first', async () => {
    const train = writeSplit('train', 20);
    const test = writeSplit('test', 5);
    expect((await runCli(importArgs(train, test, 'first'))).code).toBe(0);
    const again = await runCli(importArgs(train, test, 'second'));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already in this lab as dataset 'first'");
  });

  it('names unknown subcommands', async () => {
    const result = await runCli(['dataset', 'frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown subcommand 'frobnicate'");
  });
});
