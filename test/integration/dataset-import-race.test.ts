import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readWholeArray } from '../../src/array-io/array-source.ts';
import { openNpy } from '../../src/array-io/npy.ts';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const script = fileURLToPath(new URL('../fixtures/processes/register-dataset.ts', import.meta.url));

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

interface Importer {
  /** Resolves when the process's import is validated and waits to move into place. */
  ready: Promise<void>;
  go: () => void;
  result: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

function startImport(labDir: string, name: string): Importer {
  const child = spawn(process.execPath, [script, labDir, name], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('ready\n')) signalReady();
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  // A process that ends before it is ready (a failure) must not leave the test waiting.
  void result.then(() => signalReady());
  return { ready, go: () => child.stdin.end('go\n'), result };
}

it('four processes importing the same content at once: one wins, the others are refused, the winner is whole', async () => {
  const labDir = dir.path;
  // The lab exists first, so the processes race on the import, not on creating the schema.
  LabCore.open({ labDir, frontDoor: 'cli' }).close();
  const importers = Array.from({ length: 4 }, (_, i) => startImport(labDir, `copy-${i}`));
  await Promise.all(importers.map((p) => p.ready));
  importers.forEach((p) => p.go());
  const results = await Promise.all(importers.map((p) => p.result));
  for (const r of results) {
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  const outcomes = results.map((r) => JSON.parse(r.stdout.split('\n').filter((l) => l.startsWith('{'))[0]!) as { ok: boolean; id?: number; code?: string; message?: string });
  const winners = outcomes.filter((o) => o.ok);
  expect(winners).toHaveLength(1);
  for (const loser of outcomes.filter((o) => !o.ok)) {
    expect(loser.code).toBe('conflict');
    expect(loser.message).toMatch(/^The same content is already in this lab as dataset 'copy-\d' \(id \d+\); nothing was imported\.$/);
  }

  const core = LabCore.open({ labDir, frontDoor: 'cli' });
  try {
    const shown = await core.invoke('datasets/show', { dataset: winners[0]!.id! });
    expect(shown.splits.train).toBeGreaterThan(0);
    const record = core.datasets.get(winners[0]!.id!);
    for (const split of ['train', 'val', 'test'] as const) {
      expect((await readWholeArray(await openNpy(record.files[split].x))).length).toBe(record.splits[split] * 32);
      expect(existsSync(record.files[split].y)).toBe(true);
    }
    expect(core.db.prepare('SELECT count(*) FROM datasets').pluck().get()).toBe(1);
    expect(readdirSync(core.paths.datasets)).toEqual([record.contentHash.slice(0, 24)]);
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');
  } finally {
    core.close();
  }
});
