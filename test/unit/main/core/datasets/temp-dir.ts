import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** A fresh temporary folder for the calling test file, removed after its tests. */
export function useTempDir(prefix: string): (name: string) => string {
  const dir = mkdtempSync(join(tmpdir(), `pdash-${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return (name: string) => join(dir, name);
}
