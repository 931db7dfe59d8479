import Database from 'better-sqlite3';
import { LabError } from '../../../shared/errors.ts';
import { latestSchemaVersion, migrations, type Migration } from './migrations.ts';

export type LabDatabase = Database.Database;

export interface OpenedDatabase {
  db: LabDatabase;
  schemaVersion: number;
  sqliteVersion: string;
}

/** How long a connection waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 15_000;

/**
 * Opens (creating if needed) the lab's SQLite file in WAL mode with foreign keys on, and brings its schema up
 * to date. Safe with several processes on one lab: migrations run inside BEGIN IMMEDIATE, which takes the
 * write lock, and re-read the schema version under that lock, so two processes never apply the same migration.
 */
export function openLabDatabase(file: string, options: { migrations?: readonly Migration[] } = {}): OpenedDatabase {
  const list = options.migrations ?? migrations;
  const latest = options.migrations ? (list.at(-1)?.version ?? 0) : latestSchemaVersion;
  let db: LabDatabase;
  try {
    db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw describeOpenError(file, error);
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Reading the schema first makes a non-database file fail here, before anything is written to it.
    const found = readUserVersion(db);
    if (found > latest) {
      throw new LabError(
        'unavailable',
        `The lab database ${file} has schema version ${found}, newer than this P-DASH Lab knows (${latest}).`,
        'Upgrade P-DASH Lab to open this lab; nothing in it was changed.',
      );
    }
    const mode = String(db.pragma('journal_mode = WAL', { simple: true }));
    if (mode.toLowerCase() !== 'wal') {
      throw new LabError('unavailable', `SQLite refused WAL mode for ${file} (journal mode is '${mode}').`, 'Put the lab on a local disk that supports shared memory.');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    const schemaVersion = found < latest ? migrate(db, list, latest) : found;
    const sqliteVersion = String((db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v);
    return { db, schemaVersion, sqliteVersion };
  } catch (error) {
    db.close();
    throw error instanceof LabError ? error : describeOpenError(file, error);
  }
}

function readUserVersion(db: LabDatabase): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function migrate(db: LabDatabase, list: readonly Migration[], latest: number): number {
  db.exec('BEGIN IMMEDIATE');
  try {
    // Another process may have migrated while we waited for the lock.
    const current = readUserVersion(db);
    for (const migration of list) {
      if (migration.version <= current) continue;
      try {
        db.exec(migration.sql);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new LabError('internal', `Migration ${migration.version} (${migration.name}) failed: ${reason}`, 'The lab was left at its previous schema version; nothing was lost.');
      }
      db.pragma(`user_version = ${migration.version}`);
    }
    db.exec('COMMIT');
    return Math.max(current, latest);
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function describeOpenError(file: string, error: unknown): LabError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new LabError(
      'unavailable',
      `${file} is not a readable lab database (${reason}).`,
      'Point --lab at another folder, or move this file away and restore a backup; P-DASH Lab will not overwrite it.',
    );
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new LabError('unavailable', `The lab database ${file} is locked by another process (${reason}).`, 'Wait for the other P-DASH Lab process to finish, then retry.');
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new LabError('unavailable', `Cannot open the lab database ${file} (${reason}).`, 'Check that the lab folder exists and is writable.');
  }
  return new LabError('internal', `Opening the lab database ${file} failed: ${reason}`);
}
