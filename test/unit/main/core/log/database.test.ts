import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { openLabDatabase } from '../../../../../src/main/core/log/database.ts';
import { latestSchemaVersion, type Migration } from '../../../../../src/main/core/log/migrations.ts';
import { RunStatus } from '../../../../../src/shared/contract/index.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function openError(file: string, migrations?: readonly Migration[]): LabError {
  try {
    openLabDatabase(file, migrations ? { migrations } : {}).db.close();
  } catch (error) {
    if (error instanceof LabError) return error;
    throw error;
  }
  throw new Error('expected openLabDatabase to fail');
}

describe('openLabDatabase', () => {
  it('creates lab.sqlite in WAL mode with foreign keys on, at the latest schema version', () => {
    const file = join(dir.path, 'lab.sqlite');
    const { db, schemaVersion, sqliteVersion } = openLabDatabase(file);
    expect(schemaVersion).toBe(latestSchemaVersion);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
    expect(sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    const labId = db.prepare("SELECT value FROM lab_meta WHERE key = 'lab_id'").pluck().get();
    expect(labId).toMatch(/^[0-9a-f]{32}$/);
    db.close();
  });

  it('reopening applies nothing twice and keeps the data', () => {
    const file = join(dir.path, 'lab.sqlite');
    const first = openLabDatabase(file);
    const labId = first.db.prepare("SELECT value FROM lab_meta WHERE key = 'lab_id'").pluck().get();
    first.db.close();
    const second = openLabDatabase(file);
    expect(second.db.prepare('SELECT count(*) FROM lab_meta').pluck().get()).toBe(2);
    expect(second.db.prepare("SELECT value FROM lab_meta WHERE key = 'lab_id'").pluck().get()).toBe(labId);
    second.db.close();
  });

  it('refuses a file that is not a database and leaves it untouched', () => {
    const file = join(dir.path, 'lab.sqlite');
    const content = 'these are my notes, not a database\n'.repeat(200);
    writeFileSync(file, content);
    const error = openError(file);
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('not a readable lab database');
    expect(error.hint).toContain('will not overwrite');
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('refuses a lab whose schema is newer than this version knows, changing nothing', () => {
    const file = join(dir.path, 'lab.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestSchemaVersion + 5}`);
    raw.close();
    const error = openError(file);
    expect(error.message).toContain(`schema version ${latestSchemaVersion + 5}`);
    expect(error.hint).toContain('Upgrade');
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(latestSchemaVersion + 5);
    check.close();
  });

  it('rolls a failing migration back whole and names it', () => {
    const file = join(dir.path, 'lab.sqlite');
    const migrations: Migration[] = [
      { version: 1, name: 'first', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    const error = openError(file, migrations);
    expect(error.message).toContain('Migration 2 (broken) failed');
    const check = new Database(file);
    // Both migrations share one transaction: neither table exists, the version is untouched.
    expect(check.pragma('user_version', { simple: true })).toBe(0);
    expect(check.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get()).toBe(0);
    check.close();
  });

  it("derives the runs table's status CHECK from the contract's RunStatus, which shipped labs also hold", () => {
    const { db } = openLabDatabase(join(dir.path, 'lab.sqlite'));
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'runs'").pluck().get() as string;
    db.close();
    const listed = /status\s+TEXT NOT NULL CHECK \(status IN \(([^)]*)\)\)/.exec(sql)?.[1]?.split(',').map((v) => v.trim().replaceAll("'", ''));
    expect(listed).toEqual(RunStatus.options);
    // Labs created by earlier versions hold this list. A status added to RunStatus needs a migration that rebuilds
    // the runs table for them; update this list in the same change.
    expect(RunStatus.options).toEqual(['queued', 'running', 'paused', 'interrupted', 'cancelled', 'failed', 'done']);
  });
});
