import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { writeNpyFile } from '../helpers/npy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const pdash = fileURLToPath(new URL('../../bin/pdash.mjs', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

/** Writes a float32 .npy of `rows` x 1024 x 1 whose row r holds the value r % 251, a block at a time. */
function writeLargeNpy(path: string, rows: number): void {
  const header = writeNpyFile(path, '<f4', [rows, 1024, 1], new Float32Array(0));
  const fd = openSync(header, 'a');
  const block = new Float32Array(1024 * 1024);
  for (let first = 0; first < rows; first += 1024) {
    const count = Math.min(1024, rows - first);
    for (let r = 0; r < count; r++) block.fill((first + r) % 251, r * 1024, (r + 1) * 1024);
    writeSync(fd, new Uint8Array(block.buffer, 0, count * 1024 * 4));
  }
  closeSync(fd);
}

it('imports a split larger than the memory the import uses, streaming it in batches', async () => {
  // 120,000 samples x 1024 float32 = 469 MiB of x. Typed arrays live outside the JS heap, so a heap cap proves
  // nothing: the child reports its peak resident memory instead, which must stay well below the data's size
  // (garbage from finished batches is collected lazily, so the bound leaves room for it).
  const rows = 120_000;
  const trainX = join(dir.path, 'train-x.npy');
  writeLargeNpy(trainX, rows);
  const trainY = writeNpyFile(join(dir.path, 'train-y.npy'), '<i4', [rows], new Int32Array(rows).map((_, i) => i % 3));
  const testX = writeNpyFile(join(dir.path, 'test-x.npy'), '<f4', [10, 1024, 1], new Float32Array(10 * 1024));
  const testY = writeNpyFile(join(dir.path, 'test-y.npy'), '<i4', [10], new Int32Array(10).map((_, i) => i % 3));
  const args = [pdash, 'dataset', 'import', '--lab', join(dir.path, 'lab'), '--name', 'big', '--kind', 'classification', '--train-x', trainX, '--train-y', trainY, '--test-x', testX, '--test-y', testY, '--json'];
  const peakFile = join(dir.path, 'peak-rss');
  const reporter = join(dir.path, 'report-peak.mjs');
  writeFileSync(reporter, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(${JSON.stringify(peakFile)}, String(process.resourceUsage().maxRSS)));\n`);
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', reporter, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const summary = JSON.parse(result.stdout) as { splits: { train: number; val: number; test: number }; bytes: number };
  expect(summary.splits.train + summary.splits.val).toBe(rows);
  expect(summary.bytes).toBeGreaterThan(rows * 1024 * 4);
  const peakMiB = Number(readFileSync(peakFile, 'utf8')) / 1024;
  expect(peakMiB).toBeLessThan(300);
}, 300_000);
