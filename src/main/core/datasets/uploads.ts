/**
 * Files a browser sends for an import (web mode has no access to the user's disk paths): staged under
 * uploads/<id>/ in the lab folder, appended chunk by chunk, used by datasets/import by path, and removed once an
 * import has stored them (or after a day, if no import ever did).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { LabError } from '../../../shared/errors.ts';

const IMPORTABLE = new Set(['.npy', '.npz', '.csv', '.tsv']);
const MAX_CHUNK_BYTES = 32 * 1024 * 1024;
const STALE_MS = 24 * 60 * 60 * 1000;

export interface UploadChunk {
  uploadId?: string | undefined;
  fileName: string;
  offset: number;
  data: string;
}

/** A file name safe to keep: its last path part, other characters than letters, digits, . _ - replaced. */
export function safeFileName(name: string): string {
  const base = basename(name.replaceAll('\\', '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (base === '' || base === '_') throw new LabError('bad-request', `'${name}' is not a usable file name.`);
  return base;
}

export function stageUploadChunk(uploadsDir: string, chunk: UploadChunk): { uploadId: string; path: string; bytes: number } {
  const fileName = safeFileName(chunk.fileName);
  if (!IMPORTABLE.has(extname(fileName).toLowerCase())) {
    throw new LabError('bad-request', `${chunk.fileName}: only .npy, .npz, .csv and .tsv files can be imported.`, 'Save the arrays with numpy.save / numpy.savez, or as CSV.');
  }
  const bytes = Buffer.from(chunk.data, 'base64');
  if (bytes.length > MAX_CHUNK_BYTES) throw new LabError('bad-request', `An upload chunk may hold at most ${MAX_CHUNK_BYTES} bytes; this one holds ${bytes.length}.`);
  const uploadId = chunk.uploadId ?? randomUUID();
  const folder = join(uploadsDir, uploadId);
  if (chunk.uploadId === undefined) mkdirSync(folder);
  const path = join(folder, fileName);
  const staged = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (chunk.uploadId !== undefined && statSync(folder, { throwIfNoEntry: false }) === undefined) {
    throw new LabError('not-found', `No upload ${chunk.uploadId} in this lab (it was used by an import, or removed).`, 'Start the upload again.');
  }
  if (chunk.offset !== staged) {
    throw new LabError('conflict', `${fileName}: this chunk starts at byte ${chunk.offset}, but ${staged} bytes are staged.`, `Send the chunk that starts at byte ${staged}.`);
  }
  appendFileSync(path, bytes);
  return { uploadId, path, bytes: staged + bytes.length };
}

/** The upload folder a path lies in, or null when the path is not a staged upload. */
export function uploadFolderOf(uploadsDir: string, path: string): string | null {
  const rel = relative(uploadsDir, path);
  if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) return null;
  const id = rel.split(sep)[0];
  return id ? join(uploadsDir, id) : null;
}

/** Removes uploads no import has used for a day. */
export function sweepStaleUploads(uploadsDir: string, now = Date.now()): number {
  let removed = 0;
  for (const entry of readdirSync(uploadsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const folder = join(uploadsDir, entry.name);
    if (now - statSync(folder).mtimeMs > STALE_MS) {
      rmSync(folder, { recursive: true, force: true });
      removed += 1;
    }
  }
  return removed;
}
