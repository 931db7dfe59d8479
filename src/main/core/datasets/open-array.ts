/**
 * Opens the array a user named for an import: `file.npy`, `file.npz` (its only array) or `file.npz:name`,
 * or a CSV (x: every column but the last, as a 1-D sequence with one channel; y: the last column).
 */
import { statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { LabError } from '../../../shared/errors.ts';
import { memoryArraySource, openNpy, openNpz, readCsv, type ArraySource, type CsvTable } from '../../../array-io/index.ts';

export type ArrayRole = 'x' | 'y';

export class ArrayFileOpener {
  private readonly cwd: string;
  private readonly csvTables = new Map<string, Promise<CsvTable>>();
  private readonly opened: ArraySource[] = [];

  constructor(cwd: string) {
    this.cwd = cwd;
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
      let table = this.csvTables.get(path);
      if (table === undefined) {
        table = readCsv(path, extension === '.tsv' ? { delimiter: '\t' } : {});
        this.csvTables.set(path, table);
      }
      const t = await table;
      return role === 'x'
        ? memoryArraySource(`${path} (columns ${t.xColumns.join(', ')})`, t.x, [t.rows, t.xColumns.length, 1], 'float64')
        : memoryArraySource(`${path} (column ${t.yColumns.join(', ')})`, t.y, t.yColumns.length === 1 ? [t.rows] : [t.rows, t.yColumns.length], 'float64');
    }
    throw new LabError('bad-request', `${path}: unsupported file type '${extension || '(none)'}'.`, 'Import .npy, .npz (file.npz or file.npz:array) or .csv files.');
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((s) => s.close()));
  }
}

/** `a/b.npz:x` -> path a/b.npz, member x (a colon inside the path itself, e.g. C:\\, is kept). */
function splitSpec(spec: string): { path: string; member: string | undefined } {
  const match = /^(.*\.npz):([^/\\:]+)$/i.exec(spec);
  return match ? { path: match[1]!, member: match[2]! } : { path: spec, member: undefined };
}
