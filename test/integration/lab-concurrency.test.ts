import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src/main/core/log/migrations.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const script = fileURLToPath(new URL('../fixtures/processes/open-lab.ts', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function runProcess(file: string, worker: number, rows: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, file, String(worker), String(rows)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

it('four processes opening and writing one fresh lab at once neither fail nor corrupt it', async () => {
  const file = join(dir.path, 'lab.sqlite');
  const processes = 4;
  const rows = 150;
  const results = await Promise.all(Array.from({ length: processes }, (_, w) => runProcess(file, w, rows)));
  for (const r of results) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).schemaVersion).toBe(latestSchemaVersion);
  }
  const db = new Database(file, { readonly: true });
  expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
  // Migration 1 ran once: one identity, and every process's rows are there.
  expect(db.prepare("SELECT count(*) FROM lab_meta WHERE key = 'lab_id'").pluck().get()).toBe(1);
  expect(db.prepare("SELECT count(*) FROM lab_meta WHERE key LIKE 'test:%'").pluck().get()).toBe(processes * rows);
  db.close();
});
