import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DatasetSummary, MAX_CLASSES } from '../../src/shared/contract/datasets.ts';
import { startWebServer } from '../../src/main/server/index.ts';
import { runCli } from '../helpers/cli.ts';
import { writeNpyFile } from '../helpers/npy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/**
 * Issue #10: one label of 2,000,000,000 in a 640-byte y file, or `classes: 2000000000` over RPC, ran Node out of
 * heap (exit 134); NaN/Inf labels gave "Invalid array length ... a bug in P-DASH Lab". Labels must be finite
 * integers and classes are capped at MAX_CLASSES; each refusal names the file, the row and the value, and leaves
 * the lab as it was.
 */

const pdash = fileURLToPath(new URL('../../bin/pdash.mjs', import.meta.url));

/** A command the lab refuses for bad input exits 1, as any failed command; a bad command line exits 2. */
const BAD_INPUT_EXIT = 1;
const USAGE_EXIT = 2;

let dir: ReturnType<typeof tempDir>;
let lab: string;
beforeEach(() => {
  dir = tempDir();
  lab = join(dir.path, 'lab');
});
afterEach(() => dir.remove());

/** x: n samples of 8 x 1; y: labels cycling 0..2 with `bad` placed at `row`, as int32 or float64. */
function writeSplit(name: string, n: number, options: { bad?: number; row?: number; float?: boolean } = {}): { x: string; y: string } {
  const x = writeNpyFile(join(dir.path, `${name}-x.npy`), '<f4', [n, 8, 1], new Float32Array(n * 8).map((_, i) => Math.sin(i)));
  const labels = Array.from({ length: n }, (_, i) => (i === options.row ? options.bad! : i % 3));
  const y = options.float
    ? writeNpyFile(join(dir.path, `${name}-y.npy`), '<f8', [n], Float64Array.from(labels))
    : writeNpyFile(join(dir.path, `${name}-y.npy`), '<i4', [n], Int32Array.from(labels));
  return { x, y };
}

function importArgs(train: { x: string; y: string }, test: { x: string; y: string }): string[] {
  return ['dataset', 'import', '--lab', lab, '--name', 'labels', '--kind', 'classification', '--train-x', train.x, '--train-y', train.y, '--test-x', test.x, '--test-y', test.y, '--json'];
}

/** Nothing stored: no dataset row, nothing left under datasets/ (no partial folder), and the database intact. */
function expectLabUntouched(): void {
  expect(readdirSync(join(lab, 'datasets'))).toEqual([]);
  const db = new Database(join(lab, 'lab.sqlite'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(0);
  } finally {
    db.close();
  }
}

function runPdash(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [pdash, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('class labels and the number of classes', () => {
  it('refuses one label of 2,000,000,000 in a 640-byte y file: a clean exit, file, row and value named, lab untouched', async () => {
    const train = writeSplit('train', 128, { bad: 2_000_000_000, row: 77 });
    expect(statSync(train.y).size).toBe(640);
    // A real `pdash` process: the original input ran it out of heap (exit 134), which would also take down a test
    // worker running the CLI in-process.
    const result = await runPdash(importArgs(train, writeSplit('test', 6)));
    expect(result.signal).toBe(null);
    expect(result.code).toBe(BAD_INPUT_EXIT);
    expect(result.stderr).toContain(`${train.y}: label 2000000000 at row 77 is out of range (the lab supports at most ${MAX_CLASSES} classes`);
    expect(result.stderr).not.toContain('a bug in P-DASH Lab');
    expect(result.stdout).toBe('');
    expectLabUntouched();
  }, 60_000);

  it.each([
    ['NaN', Number.NaN, /label NaN at row 5 is not a finite number/],
    ['+Inf', Number.POSITIVE_INFINITY, /label Infinity at row 5 is not a finite number/],
    ['-Inf', Number.NEGATIVE_INFINITY, /label -Infinity at row 5 is not a finite number/],
    ['1.5', 1.5, /label 1\.5 at row 5 is not an integer/],
    ['-1', -1, /label -1 at row 5 is out of range \(labels must be non-negative integers\)/],
  ])('refuses a %s train label (classes inferred), naming file, row and value', async (_name, bad, message) => {
    const train = writeSplit('train', 20, { bad, row: 5, float: true });
    const result = await runCli(importArgs(train, writeSplit('test', 6)));
    expect(result.code).toBe(BAD_INPUT_EXIT);
    expect(result.stderr).toContain(`${train.y}: label`);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/Invalid array length|a bug in P-DASH Lab/);
    expectLabUntouched();
  });

  it.each([
    ['NaN', Number.NaN, /label NaN at row 2 is not a finite number/],
    ['1.5', 1.5, /label 1\.5 at row 2 is not an integer/],
    ['-1', -1, /label -1 at row 2 is out of range \(labels must be 0\.\.2\)/],
    ['3 (beyond the classes train has)', 3, /label 3 at row 2 is out of range \(labels must be 0\.\.2\)/],
  ])('refuses a %s test label, naming file, row and value', async (_name, bad, message) => {
    const test = writeSplit('test', 6, { bad, row: 2, float: true });
    const result = await runCli(importArgs(writeSplit('train', 20), test));
    expect(result.code).toBe(BAD_INPUT_EXIT);
    expect(result.stderr).toContain(`${test.y}: label`);
    expect(result.stderr).toMatch(message);
    expectLabUntouched();
  });

  it('accepts float labels that are integers (3.0), storing them as int32 classes', async () => {
    const train = writeSplit('train', 20, { bad: 3, row: 4, float: true });
    const result = await runCli(importArgs(train, writeSplit('test', 6, { float: true })));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(DatasetSummary.parse(JSON.parse(result.stdout))).toMatchObject({ kind: 'classification', classes: 4 });
  });

  it('refuses --classes above the cap before reading anything, and accepts the cap itself', async () => {
    const train = writeSplit('train', 20);
    const test = writeSplit('test', 6);
    const refused = await runCli([...importArgs(train, test), '--classes', '2000000000']);
    expect(refused.code).toBe(USAGE_EXIT);
    expect(refused.stderr).toContain(`--classes must be an integer from 1 to ${MAX_CLASSES}, got '2000000000'`);
    const atCap = await runCli([...importArgs(train, test), '--classes', String(MAX_CLASSES)]);
    expect(atCap.stderr).toBe('');
    expect(DatasetSummary.parse(JSON.parse(atCap.stdout)).classes).toBe(MAX_CLASSES);
  });

  it('refuses classes: 2000000000 over RPC as bad-request; the server lives on and the lab is untouched', async () => {
    const rendererDir = join(dir.path, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>P-DASH Lab</title>');
    const train = writeSplit('train', 20);
    const test = writeSplit('test', 6);
    const server = await startWebServer({ labDir: lab, rendererDir, port: 0 });
    try {
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`, { headers: { Origin: `http://127.0.0.1:${server.port}` } });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
      const call = (message: unknown): Promise<Record<string, unknown>> =>
        new Promise((resolve) => {
          ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
          ws.send(JSON.stringify(message));
        });
      const request = { name: 'huge', kind: 'classification', trainX: train.x, trainY: train.y, testX: test.x, testY: test.y };
      const refused = await call({ type: 'request', id: 1, channel: 'datasets/import', request: { ...request, classes: 2_000_000_000 } });
      expect(refused).toMatchObject({ id: 1, ok: false, error: { code: 'bad-request' } });
      expect(JSON.stringify(refused.error)).toContain('classes');
      const info = await call({ type: 'request', id: 2, channel: 'lab/info', request: {} });
      expect(info).toMatchObject({ id: 2, ok: true });
      ws.close();
    } finally {
      await server.close();
    }
    expect(existsSync(join(lab, 'lab.sqlite'))).toBe(true);
    expectLabUntouched();
  });
});
