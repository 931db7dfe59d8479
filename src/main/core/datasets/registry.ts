/**
 * The datasets registry: one row per dataset in lab.sqlite, its tensors stored once under
 * datasets/<hash>/ as .npy files and never modified after import. An import is all or nothing: it streams
 * into a private partial folder, and only when everything validated does the folder move into place and the
 * row get written; any failure removes the partial folder, so no row and no stray file is left.
 *
 * Several imports (in this process or in other lab processes sharing the database) may finish with the same
 * content at once. The move into datasets/<hash>/ and the row's insert therefore happen together under
 * SQLite's write lock (BEGIN IMMEDIATE): whoever holds the lock sees every committed row, and no other import
 * can be between its move and its insert. So a hash folder without a row, seen under the lock, can only be
 * what a process that died between move and commit left behind; a folder with a row is never touched.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetSummary, SplitName } from '../../../shared/contract/index.ts';
import { LabError } from '../../../shared/errors.ts';
import type { LabPaths } from '../lab-folder.ts';
import type { LabDatabase } from '../log/database.ts';
import { processAlive } from '../../../platform/process-alive.ts';
import { importIntoFolder, type ImportInput, type ImportProgress, type ImportResult, type Normalization } from './import-pipeline.ts';

export interface DatasetRecord extends DatasetSummary {
  /** Absolute path of the dataset's folder. */
  folder: string;
  normalization: Normalization;
  classCounts: Record<SplitName, number[]> | null;
  files: Record<SplitName, { x: string; y: string }>;
}

export interface RegisterOptions {
  name: string;
  input: ImportInput;
  source: { type: DatasetSummary['source']['type']; detail: string };
  publishedTask?: DatasetSummary['publishedTask'];
  classNames?: string[] | null;
  metric?: DatasetSummary['metric'];
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

interface DatasetRow {
  id: number;
  name: string;
  kind: DatasetSummary['kind'];
  rank: 1 | 2;
  x_shape: string;
  y_shape: string;
  classes: number | null;
  class_names: string | null;
  class_counts: string | null;
  split_train: number;
  split_val: number;
  split_test: number;
  val_carved: string | null;
  normalization: string;
  metric_name: DatasetSummary['metric']['name'];
  metric_direction: DatasetSummary['metric']['direction'];
  published_task: DatasetSummary['publishedTask'];
  content_hash: string;
  folder: string;
  bytes: number;
  source_type: DatasetSummary['source']['type'];
  source_detail: string;
  created_at: string;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}$/;
const PARTIAL_PREFIX = '.partial-';
/** The folder a stored dataset lives in: the first 24 hex digits of its content hash. */
const HASH_FOLDER = /^[0-9a-f]{24}$/;

export interface RegistryHooks {
  /**
   * Called when an import has written and validated its partial folder, just before it takes the write lock
   * to move it into place. Tests use it to hold several imports of the same content at that point at once.
   */
  beforeMove?: (contentHash: string) => Promise<void>;
}

export class DatasetRegistry {
  private readonly db: LabDatabase;
  private readonly paths: LabPaths;
  private readonly hooks: RegistryHooks;

  constructor(db: LabDatabase, paths: LabPaths, hooks: RegistryHooks = {}) {
    this.db = db;
    this.paths = paths;
    this.hooks = hooks;
  }

  /**
   * Removes what dead imports left: partial folders of processes that are gone (never those of a live
   * process), and hash folders that no row names (a process that died between its move and its commit).
   * The latter are judged under the write lock, where no live import can be between move and insert.
   */
  sweepAbandonedImports(): number {
    let removed = 0;
    for (const entry of readdirSync(this.paths.datasets, { withFileTypes: true })) {
      if (!entry.isDirectory() || !entry.name.startsWith(PARTIAL_PREFIX)) continue;
      const pid = Number(entry.name.slice(PARTIAL_PREFIX.length).split('-')[0]);
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
      rmSync(join(this.paths.datasets, entry.name), { recursive: true, force: true });
      removed += 1;
    }
    const orphans = readdirSync(this.paths.datasets, { withFileTypes: true }).filter((e) => e.isDirectory() && HASH_FOLDER.test(e.name));
    if (orphans.length === 0) return removed;
    // Renamed aside under the lock (fast), removed after it; a crash in between leaves a partial of ours, swept next time.
    const doomed = this.db.transaction(() => {
      const aside: string[] = [];
      const known = this.db.prepare('SELECT 1 FROM datasets WHERE folder = ?').pluck();
      for (const entry of orphans) {
        const folder = join(this.paths.datasets, entry.name);
        if (known.get(join('datasets', entry.name)) !== undefined || !existsSync(folder)) continue;
        const target = this.partialName();
        renameSync(folder, target);
        aside.push(target);
      }
      return aside;
    }).immediate();
    for (const folder of doomed) rmSync(folder, { recursive: true, force: true });
    return removed + doomed.length;
  }

  list(offset = 0, limit = 100): { items: DatasetSummary[]; total: number } {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as DatasetRow[];
    const total = this.db.prepare('SELECT count(*) FROM datasets').pluck().get() as number;
    return { items: rows.map((r) => toSummary(r)), total };
  }

  /** A dataset by id or name; LabError not-found names what exists. */
  get(ref: number | string): DatasetRecord {
    const row = (typeof ref === 'number'
      ? this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(ref)
      : this.db.prepare('SELECT * FROM datasets WHERE name = ?').get(ref)) as DatasetRow | undefined;
    if (row === undefined) {
      throw new LabError('not-found', `No dataset ${typeof ref === 'number' ? `with id ${ref}` : `named '${ref}'`} in this lab.`, 'List them with `pdash dataset list`.');
    }
    const folder = join(this.paths.root, row.folder);
    const files = Object.fromEntries((['train', 'val', 'test'] as const).map((s) => [s, { x: join(folder, `${s}-x.npy`), y: join(folder, `${s}-y.npy`) }])) as DatasetRecord['files'];
    return {
      ...toSummary(row),
      folder,
      normalization: JSON.parse(row.normalization) as Normalization,
      classCounts: row.class_counts === null ? null : (JSON.parse(row.class_counts) as Record<SplitName, number[]>),
      files,
    };
  }

  async register(options: RegisterOptions): Promise<DatasetSummary> {
    checkName(options.name);
    this.refuseTakenName(options.name);
    const partial = this.partialName();
    await mkdir(partial);
    let leftover: string | null = null;
    try {
      const result = await importIntoFolder(options.input, partial, options.onProgress, options.signal);
      // Refused early without the lock when the content is plainly here already; the check that counts is below.
      this.refuseStoredContent(result.contentHash);
      await this.hooks.beforeMove?.(result.contentHash);
      const relative = join('datasets', result.contentHash.slice(0, 24));
      const final = join(this.paths.root, relative);
      const metric = options.metric ?? result.metric;
      // Move and insert under the write lock (see the top of this file); the transaction is synchronous, so
      // nothing else in this process runs in between either.
      const id = this.db.transaction(() => {
        this.refuseTakenName(options.name);
        this.refuseStoredContent(result.contentHash);
        if (existsSync(final)) {
          // No row names this hash and nobody else can be mid-register: a dead process's leftover. Set aside, removed after the lock.
          leftover = this.partialName();
          renameSync(final, leftover);
        }
        renameSync(partial, final);
        try {
          return this.insertRow(options, result, metric, relative);
        } catch (error) {
          // Still under the lock: put the folder back so the catch below removes our files, never anyone's.
          renameSync(final, partial);
          throw error;
        }
      }).immediate();
      return this.get(Number(id));
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    } finally {
      if (leftover !== null) await rm(leftover, { recursive: true, force: true });
    }
  }

  private partialName(): string {
    return join(this.paths.datasets, `${PARTIAL_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  }

  private refuseStoredContent(contentHash: string): void {
    const existing = this.db.prepare('SELECT id, name FROM datasets WHERE content_hash = ?').get(contentHash) as { id: number; name: string } | undefined;
    if (existing) {
      throw new LabError('conflict', `The same content is already in this lab as dataset '${existing.name}' (id ${existing.id}); nothing was imported.`, `Use '${existing.name}', or remove it first with \`pdash dataset remove ${existing.id}\`.`);
    }
  }

  private insertRow(options: RegisterOptions, result: ImportResult, metric: DatasetSummary['metric'], relative: string): number | bigint {
    return this.db
      .prepare(
        `INSERT INTO datasets (name, kind, rank, x_shape, y_shape, x_dtype, y_dtype, classes, class_names, class_counts,
           split_train, split_val, split_test, val_carved, normalization, metric_name, metric_direction, published_task,
           content_hash, folder, bytes, source_type, source_detail)
         VALUES (?, ?, ?, ?, ?, 'float32', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        options.name,
        result.kind,
        result.rank,
        JSON.stringify(result.xShape),
        JSON.stringify(result.yShape),
        result.kind === 'classification' ? 'int32' : 'float32',
        result.classes,
        options.classNames ? JSON.stringify(options.classNames) : null,
        result.classCounts ? JSON.stringify(result.classCounts) : null,
        result.splits.train.rows,
        result.splits.val.rows,
        result.splits.test.rows,
        result.valCarved ? JSON.stringify(result.valCarved) : null,
        JSON.stringify(result.normalization),
        metric.name,
        metric.direction,
        options.publishedTask ?? null,
        result.contentHash,
        relative,
        result.bytes,
        options.source.type,
        options.source.detail,
      ).lastInsertRowid;
  }

  /** Removes the row, then the files. A dataset that experiments were run on is kept, with their ids named. */
  async remove(ref: number | string): Promise<DatasetSummary> {
    const record = this.get(ref);
    const users = this.db.prepare('SELECT id FROM experiments WHERE dataset_id = ? ORDER BY id').pluck().all(record.id) as number[];
    if (users.length > 0) {
      throw new LabError(
        'conflict',
        `Dataset '${record.name}' is used by experiment${users.length > 1 ? 's' : ''} ${users.join(', ')}; it was not removed.`,
        'Their results refer to this data (its hash is in every report); remove those experiments first if you really want it gone.',
      );
    }
    // The row goes and the folder is set aside under one lock: an import of the same content that follows
    // moves its own folder to this path, which a late rm of the path would otherwise delete.
    const aside = this.partialName();
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(record.id);
      if (existsSync(record.folder)) renameSync(record.folder, aside);
    }).immediate();
    await rm(aside, { recursive: true, force: true });
    const { folder: _folder, normalization: _n, classCounts: _c, files: _f, ...summary } = record;
    return summary;
  }

  private refuseTakenName(name: string): void {
    const taken = this.db.prepare('SELECT id FROM datasets WHERE name = ?').pluck().get(name) as number | undefined;
    if (taken !== undefined) {
      throw new LabError('conflict', `A dataset named '${name}' already exists (id ${taken}).`, 'Choose another name with --name, or remove the existing one first.');
    }
  }
}

function checkName(name: string): void {
  if (!NAME_PATTERN.test(name)) {
    throw new LabError('bad-request', `'${name}' is not a usable dataset name.`, 'Use 1-100 letters, digits, spaces, dots, dashes or underscores, starting with a letter or digit.');
  }
}

function toSummary(row: DatasetRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    rank: row.rank,
    xShape: JSON.parse(row.x_shape) as number[],
    yShape: JSON.parse(row.y_shape) as number[],
    classes: row.classes,
    classNames: row.class_names === null ? null : (JSON.parse(row.class_names) as string[]),
    splits: { train: row.split_train, val: row.split_val, test: row.split_test },
    valCarved: row.val_carved === null ? null : (JSON.parse(row.val_carved) as { seed: number; fraction: number }),
    metric: { name: row.metric_name, direction: row.metric_direction },
    publishedTask: row.published_task,
    contentHash: row.content_hash,
    source: { type: row.source_type, detail: row.source_detail },
    bytes: row.bytes,
    createdAt: row.created_at,
  };
}
