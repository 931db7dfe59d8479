/**
 * Opens the array a user named for an import: `file.npy`, `file.npz` (its only array) or `file.npz:name`,
 * or a CSV (x: every column but the last, as a 1-D sequence with one channel; y: the last column). A CSV is
 * spooled to .npy files in a scratch folder first, so that its numbers are read in batches like any array file's;
 * the scratch folder goes with closeAll (and, after a crash, with the registry's sweep of partial folders).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { LabError } from '../../../shared/errors.ts';
import { openNpy, openNpz, spoolCsv, type ArraySource, type CsvSpool } from '../../../array-io/index.ts';

export type ArrayRole = 'x' | 'y';

export class ArrayFileOpener {
  private readonly cwd: string;
  private readonly scratchDir: string;
  private readonly csvSpools = new Map<string, Promise<CsvSpool>>();
  private readonly scratch: string[] = [];
  private readonly opened: ArraySource[] = [];

  /** `scratchDir`: where CSV tables are spooled (the lab passes its datasets folder, whose partial folders it sweeps). */
  constructor(cwd: string, scratchDir: string = tmpdir()) {
    this.cwd = cwd;
    this.scratchDir = scratchDir;
  }

  async open(spec: string, role: ArrayRole): Promise<ArraySource> {
    const { path, member } = splitSpec(resolve(this.cwd, spec));
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat === undefined) throw new LabError('not-found', `${path}: no such file.`, 'Check the path (relative paths are from the current folder).');
    if (!stat.isFile()) throw new LabError('bad-request', `${path} is not a file.`);
    const source = await this.openFile(path, member, role);
    this.opened.push(source);
    return source;
  }

  private async openFile(path: string, member: string | undefined, role: ArrayRole): Promise<ArraySource> {
    const extension = extname(path).toLowerCase();
    if (extension === '.npy') return openNpy(path);
    if (extension === '.npz') {
      const archive = await openNpz(path);
      if (member !== undefined) {
        if (!archive.names.includes(member)) {
          throw new LabError('not-found', `${path} has no array '${member}'; it holds ${archive.names.join(', ') || 'nothing'}.`, `Name one as ${path}:NAME.`);
        }
        return archive.open(member);
      }
      if (archive.names.length !== 1) {
        throw new LabError('bad-request', `${path} holds ${archive.names.length} arrays (${archive.names.join(', ')}): say which.`, `Name one as ${path}:${archive.names[0] ?? 'NAME'}.`);
      }
      return archive.open(archive.names[0]!);
    }
    if (extension === '.csv' || extension === '.tsv') {
      let spool = this.csvSpools.get(path);
      if (spool === undefined) {
        spool = this.spool(path, extension === '.tsv' ? '\t' : ',');
        this.csvSpools.set(path, spool);
      }
      const t = await spool;
      const source = await openNpy(role === 'x' ? t.xFile : t.yFile);
      // Messages name the user's file and columns, not the scratch copy.
      return renamed(source, role === 'x' ? `${path} (columns ${t.xColumns.join(', ')})` : `${path} (column ${t.yColumns.join(', ')})`);
    }
    throw new LabError('bad-request', `${path}: unsupported file type '${extension || '(none)'}'.`, 'Import .npy, .npz (file.npz or file.npz:array) or .csv files.');
  }

  private async spool(path: string, delimiter: string): Promise<CsvSpool> {
    const dir = join(this.scratchDir, `.partial-${process.pid}-csv-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    this.scratch.push(dir);
    return spoolCsv(path, { delimiter }, dir);
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.close()));
    await Promise.all(this.scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    this.csvSpools.clear();
  }
}

/** `a/b.npz:x` -> path a/b.npz, member x (a colon inside the path itself, e.g. C:\\, is kept). */
function splitSpec(spec: string): { path: string; member: string | undefined } {
  const match = /^(.*\.npz):([^/\\:]+)$/i.exec(spec);
  return match ? { path: match[1]!, member: match[2]! } : { path: spec, member: undefined };
}

/** The same source under another name. */
function renamed(source: ArraySource, path: string): ArraySource {
  return {
    path,
    dtype: source.dtype,
    shape: source.shape,
    order: source.order,
    rowAccess: source.rowAccess,
    readRows: (start, count) => source.readRows(start, count),
    readSlab: (ranges) => source.readSlab(ranges),
    close: () => source.close(),
  };
}
