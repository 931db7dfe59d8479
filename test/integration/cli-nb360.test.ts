import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetSummary } from '../../src/shared/contract/datasets.ts';
import { runCli } from '../helpers/cli.ts';
import { writeNpyFile } from '../helpers/npy.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { mat5Bytes } from '../unit/array-io/reference-mat.ts';
import { encodeElements } from '../unit/array-io/reference-npy.ts';
import { dumps, py } from '../unit/array-io/reference-pickle.ts';

let dir: ReturnType<typeof tempDir>;
let lab: string;
beforeEach(() => {
  dir = tempDir();
  lab = join(dir.path, 'lab');
});
afterEach(() => dir.remove());

function folder(name: string): string {
  const path = join(dir.path, name);
  mkdirSync(path);
  return path;
}

async function importNb360(task: string, path: string): Promise<{ code: number; stderr: string; summary: DatasetSummary | null }> {
  const result = await runCli(['dataset', 'import-nb360', task, path, '--lab', lab, '--json']);
  return { code: result.code, stderr: result.stderr, summary: result.code === 0 ? DatasetSummary.parse(JSON.parse(result.stdout)) : null };
}

describe('pdash dataset generate', () => {
  it('generates each built-in task, deterministic for its seed', async () => {
    for (const [task, kind, xShape] of [
      ['ecg-synth', 'classification', [1000, 1]],
      ['ninapro-synth', 'classification', [16, 52, 1]],
      ['darcy-synth', 'dense', [17, 17, 3]],
    ] as const) {
      const result = await runCli(['dataset', 'generate', task, '--size', 'tiny', '--seed', '3', '--lab', lab, '--json']);
      expect(result.stderr).toBe('');
      const summary = DatasetSummary.parse(JSON.parse(result.stdout));
      expect(summary).toMatchObject({ name: `${task}-tiny-seed3`, kind, xShape, source: { type: 'generated' }, publishedTask: null });
      // The same seed again is the same content: refused as a duplicate, naming the first.
      const again = await runCli(['dataset', 'generate', task, '--size', 'tiny', '--seed', '3', '--name', 'again', '--lab', lab]);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain(`already in this lab as dataset '${task}-tiny-seed3'`);
    }
    const other = await runCli(['dataset', 'generate', 'ecg-synth', '--size', 'tiny', '--seed', '4', '--lab', lab, '--json']);
    expect(other.code).toBe(0);
  });

  it('names an unknown task and a bad size', async () => {
    const unknown = await runCli(['dataset', 'generate', 'cifar', '--lab', lab]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('task');
    const size = await runCli(['dataset', 'generate', 'ecg-synth', '--size', 'huge', '--lab', lab]);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('size');
  });
});

describe('pdash dataset import-nb360', () => {
  it('imports a NinaPro folder: (N, 52, 16) transposed to 16 x 52, and marks it for the published numbers', async () => {
    const path = folder('ninapro');
    for (const [split, n] of [['train', 40], ['val', 10], ['test', 12]] as const) {
      const x = new Float32Array(n * 52 * 16).map((_, i) => Math.sin(i * 0.01));
      const y = new Int32Array(n).map((_, i) => i % 18);
      writeNpyFile(join(path, `ninapro_${split}.npy`), '<f4', [n, 52, 16], x);
      writeNpyFile(join(path, `label_${split}.npy`), '<i4', [n], y);
    }
    const { code, stderr, summary } = await importNb360('ninapro', path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ name: 'nb360-ninapro', kind: 'classification', xShape: [16, 52, 1], classes: 18, splits: { train: 40, val: 10, test: 12 }, publishedTask: 'ninapro', source: { type: 'nb360' }, metric: { name: 'error' } });
  });

  it('imports ECG from challenge2017.pkl through the restricted unpickler', async () => {
    const path = folder('ecg');
    const lengths = [2600, 2600, 2600, 2600, 3000, 2500, 2400, 2800, 2700, 2650, 3100, 2900];
    const labels = ['N', 'A', 'O', '~', 'N', 'A', 'O', '~', 'N', 'A', 'O', '~'];
    const recording = (r: number) => Array.from({ length: lengths[r]! }, (_, i) => Math.round(300 * Math.sin(i / (20 + r)) + (i % 7)));
    writeFileSync(
      join(path, 'challenge2017.pkl'),
      dumps(py.dict([[py.str('data'), py.objarray(lengths.map((_, r) => py.ndarray('<i2', [lengths[r]!], encodeElements(recording(r), 'i2', true))))], [py.str('label'), py.objarray(labels.map(py.str))]]), { protocol: 4, numpyCore: 'numpy.core' }),
    );
    const { code, stderr, summary } = await importNb360('ecg', path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ kind: 'classification', xShape: [1000, 1], classes: 4, classNames: ['N', 'A', 'O', '~'], publishedTask: 'ecg', metric: { name: 'one-minus-macro-f1' } });
  });

  it('imports DarcyFlow from the two MAT files, and stores targets in their raw units', async () => {
    const path = folder('darcy');
    // NAS-Bench-360's split: 900 train + 100 val from smooth1, 100 test from smooth2; 11 x 11 grids keep it small.
    const side = 11;
    const write = (name: string, count: number, offset: number) => {
      const coeff: number[] = [];
      const sol: number[] = [];
      for (let s = 0; s < count; s++) {
        for (let i = 0; i < side; i++) {
          for (let j = 0; j < side; j++) {
            coeff.push((s + offset + i * 3 + j * 7) % 4 === 0 ? 12 : 3);
            sol.push(0.01 * (1 + ((s + offset) % 5)) * i * (side - 1 - i) * j * (side - 1 - j));
          }
        }
      }
      writeFileSync(join(path, name), mat5Bytes([
        { name: 'coeff', matlabClass: 'double', dims: [count, side, side], values: coeff },
        { name: 'sol', matlabClass: 'double', dims: [count, side, side], values: sol },
      ]));
    };
    write('piececonst_r421_N1024_smooth1.mat', 1000, 0);
    write('piececonst_r421_N1024_smooth2.mat', 100, 1000);
    const { code, stderr, summary } = await importNb360('darcy', path);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(summary).toMatchObject({ kind: 'dense', xShape: [3, 3, 3], yShape: [3, 3, 1], splits: { train: 900, val: 100, test: 100 }, publishedTask: 'darcy', metric: { name: 'relative-l2' } });
    const shown = await runCli(['dataset', 'show', 'nb360-darcy', '--lab', lab, '--json', '--samples', '1']);
    const detail = JSON.parse(shown.stdout) as { samples: Array<{ split: string; y: number[] }> };
    // Raw solution values: the first test sample (s = 1000) at the centre (i = j = 5) is 0.01 * 1 * 25 * 25.
    const centre = detail.samples.find((s) => s.split === 'test')!.y[4]!;
    expect(centre).toBeCloseTo(6.25, 4);
  });

  it('names what is missing in a wrong folder, and stores nothing', async () => {
    const empty = folder('empty');
    for (const task of ['ninapro', 'darcy', 'ecg']) {
      const { code, stderr } = await importNb360(task, empty);
      expect(code).not.toBe(0);
      expect(stderr).toMatch(/missing|has no/);
    }
    const notFolder = await importNb360('ecg', join(dir.path, 'nope'));
    expect(notFolder.stderr).toContain('is not a folder');
    expect((await runCli(['dataset', 'list', '--lab', lab, '--json'])).stdout).toContain('"total": 0');
  });
});
