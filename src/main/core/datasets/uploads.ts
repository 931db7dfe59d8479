/**
 * Files a browser sends for an import (web mode has no access to the user's disk paths): staged under
 * uploads/<id>/ in the lab folder, appended chunk by chunk, used by datasets/import by path, and removed once an
 * import has stored them, when a chunk fails, or once no chunk has touched them for an idle time (abandoned).
 *
 * A client with the token controls the lab, so these limits are not a wall against an attacker; they keep a
 * careless or broken client (a runaway loop, a half-uploaded file retried many times) from filling the disk.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync, type Dirent } from 'node:fs';
import { basename, extname, join, relative, sep } from 'node:path';
import { UPLOAD_CHUNK_MAX_BYTES } from '../../../shared/contract/index.ts';
import { formatBytes } from '../../../shared/format.ts';
import { LabError } from '../../../shared/errors.ts';
import { processAlive } from '../../../platform/process-alive.ts';

const IMPORTABLE = new Set(['.npy', '.npz', '.csv', '.tsv']);
const MIB = 1024 * 1024;

export interface UploadLimits {
  /** The most bytes one staged file may reach. */
  maxUploadBytes: number;
  /** The most bytes all staged uploads of the lab may hold together. */
  maxStagedBytes: number;
  /** An upload no chunk has touched for this long is taken as abandoned and removed. */
  idleMs: number;
}

/**
 * Generous enough for the datasets the lab imports (a dataset's four files staged at once), small enough that a
 * client retrying in a loop stops long before a disk is full; an hour idle outlasts any pause between choosing the
 * files and starting the import.
 */
export const defaultUploadLimits: UploadLimits = { maxUploadBytes: 4096 * MIB, maxStagedBytes: 16384 * MIB, idleMs: 60 * 60 * 1000 };

const limitVariables = {
  maxUploadBytes: { name: 'PDASH_UPLOAD_MAX_MB', unit: MIB },
  maxStagedBytes: { name: 'PDASH_UPLOADS_TOTAL_MAX_MB', unit: MIB },
  idleMs: { name: 'PDASH_UPLOAD_IDLE_MINUTES', unit: 60 * 1000 },
} as const;

/** The limits, each overridable by its environment variable (a whole number of MiB or minutes). */
export function uploadLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): UploadLimits {
  const limits = { ...defaultUploadLimits };
  for (const key of Object.keys(limitVariables) as (keyof UploadLimits)[]) {
    const { name, unit } = limitVariables[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    if (!/^[1-9][0-9]{0,9}$/.test(raw.trim())) {
      throw new LabError('bad-request', `${name}=${JSON.stringify(raw).slice(0, 40)} is not a positive whole number.`, `Set ${name} to a whole number of ${unit === MIB ? 'MiB' : 'minutes'}, or unset it for the default.`);
    }
    limits[key] = Number(raw.trim()) * unit;
  }
  return limits;
}

export interface UploadChunk {
  uploadId?: string | undefined;
  fileName: string;
  offset: number;
  data: string;
}

/** A file name safe to keep: its last path part, other characters than letters, digits, . _ - replaced. */
export function safeFileName(name: string): string {
  const base = basename(name.replaceAll('\\', '/')).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  if (base === '' || base === '_') throw new LabError('bad-request', `'${name.slice(0, 200)}' is not a usable file name.`);
  return base;
}

/**
 * Decodes padded base64 strictly. Buffer.from skips characters outside the alphabet and stops at stray padding,
 * so a corrupted chunk would be staged as silently different bytes and the import would fail far from the cause.
 */
function decodeBase64Strict(data: string, fileName: string, offset: number): Buffer {
  const bad = /[^A-Za-z0-9+/=]/.exec(data);
  const where = `${fileName}: the chunk at byte ${offset} is not valid base64`;
  if (bad !== null) throw new LabError('bad-request', `${where}: character ${JSON.stringify(bad[0])} at position ${bad.index}.`, 'Send the chunk as standard base64 (A-Z a-z 0-9 + /, padded with =); the upload was discarded, start it again.');
  if (data.length % 4 !== 0 || /=[^=]|={3}/.test(data)) {
    throw new LabError('bad-request', `${where}: its length ${data.length} is not a multiple of 4, or '=' padding is not at the end.`, 'Send the chunk as padded base64; the upload was discarded, start it again.');
  }
  const bytes = Buffer.from(data, 'base64');
  // Non-zero bits after the last byte ("AB==") decode but do not round-trip: another encoder's bytes, not ours.
  if (bytes.toString('base64') !== data) throw new LabError('bad-request', `${where}: its last group carries stray bits.`, 'Send the chunk as canonical base64; the upload was discarded, start it again.');
  return bytes;
}

/** Bytes staged under uploadsDir, all uploads together (one file per upload folder). */
export function stagedBytes(uploadsDir: string): number {
  let total = 0;
  for (const entry of readdirOrEmpty(uploadsDir)) {
    if (!entry.isDirectory()) continue;
    for (const file of readdirOrEmpty(join(uploadsDir, entry.name))) {
      if (file.isFile()) total += statSync(join(uploadsDir, entry.name, file.name), { throwIfNoEntry: false })?.size ?? 0;
    }
  }
  return total;
}

function readdirOrEmpty(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // the folder was removed meanwhile: nothing staged there
  }
}

export function stageUploadChunk(uploadsDir: string, chunk: UploadChunk, limits: UploadLimits = defaultUploadLimits): { uploadId: string; path: string; bytes: number } {
  const fileName = safeFileName(chunk.fileName);
  if (!IMPORTABLE.has(extname(fileName).toLowerCase())) {
    throw new LabError('bad-request', `${fileName}: only .npy, .npz, .csv and .tsv files can be imported.`, 'Save the arrays with numpy.save / numpy.savez, or as CSV.');
  }
  const existing = chunk.uploadId;
  const folder = existing === undefined ? null : join(uploadsDir, existing);
  if (folder !== null && statSync(folder, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new LabError('not-found', `No upload ${existing} in this lab (it was used by an import, failed, or was idle too long and removed).`, 'Start the upload again.');
  }
  // A failed chunk leaves a file that no import should use: the staged part goes with it.
  const fail = (error: LabError): never => {
    if (folder !== null) rmSync(folder, { recursive: true, force: true });
    throw error;
  };
  if (folder !== null) {
    const staged = readdirOrEmpty(folder).find((f) => f.isFile());
    if (staged !== undefined && staged.name !== fileName) {
      throw new LabError('conflict', `Upload ${existing} stages ${staged.name}, not ${fileName}.`, 'Start a new upload (no uploadId) for another file.');
    }
  }
  let bytes: Buffer;
  try {
    bytes = decodeBase64Strict(chunk.data, fileName, chunk.offset);
  } catch (error) {
    return fail(error as LabError);
  }
  if (bytes.length > UPLOAD_CHUNK_MAX_BYTES) {
    return fail(new LabError('bad-request', `${fileName}: an upload chunk may hold at most ${UPLOAD_CHUNK_MAX_BYTES} bytes; the one at byte ${chunk.offset} holds ${bytes.length}.`, 'Send smaller chunks; the upload was discarded, start it again.'));
  }
  const path = join(folder ?? uploadsDir, fileName);
  const staged = folder === null ? 0 : (statSync(path, { throwIfNoEntry: false })?.size ?? 0);
  if (chunk.offset !== staged) {
    // Kept: a client that lost an answer can resume from the byte named here.
    throw new LabError('conflict', `${fileName}: this chunk starts at byte ${chunk.offset}, but ${staged} bytes are staged.`, `Send the chunk that starts at byte ${staged}.`);
  }
  if (staged + bytes.length > limits.maxUploadBytes) {
    return fail(new LabError('bad-request', `${fileName}: the upload would reach ${formatBytes(staged + bytes.length)}, over the ${formatBytes(limits.maxUploadBytes)} one file may stage.`, `Import a file this large by its path with \`pdash dataset import\` on the lab's machine, or raise ${limitVariables.maxUploadBytes.name} (MiB) for \`pdash serve\`. The upload was discarded.`));
  }
  const total = stagedBytes(uploadsDir);
  if (total + bytes.length > limits.maxStagedBytes) {
    return fail(new LabError('unavailable', `${fileName}: staged uploads hold ${formatBytes(total)}; this chunk would pass the ${formatBytes(limits.maxStagedBytes)} all uploads may hold together.`, `Import or abandon the other uploads first (one untouched for ${Math.round(limits.idleMs / 60000)} minutes is removed), or raise ${limitVariables.maxStagedBytes.name} (MiB) for \`pdash serve\`. The upload was discarded.`));
  }
  const uploadId = existing ?? randomUUID();
  const target = folder ?? join(uploadsDir, uploadId);
  if (folder === null) mkdirSync(target);
  const file = join(target, fileName);
  try {
    appendFileSync(file, bytes);
    // The folder's time says when the upload was last touched; the idle sweep reads it (an empty chunk writes nothing).
    const now = new Date();
    utimesSync(target, now, now);
  } catch (error) {
    rmSync(target, { recursive: true, force: true });
    const reason = (error as NodeJS.ErrnoException).code === 'ENOSPC' ? 'the disk is full' : (error as Error).message;
    throw new LabError('unavailable', `${fileName}: could not stage the chunk at byte ${chunk.offset} in ${target}: ${reason}.`, 'Free space in the lab folder, then start the upload again. The upload was discarded.');
  }
  return { uploadId, path: file, bytes: staged + bytes.length };
}

/** The upload folder a path lies in, or null when the path is not a staged upload. */
export function uploadFolderOf(uploadsDir: string, path: string): string | null {
  const rel = relative(uploadsDir, path);
  if (rel === '' || rel.startsWith('..') || rel.includes(`..${sep}`)) return null;
  const id = rel.split(sep)[0];
  return id ? join(uploadsDir, id) : null;
}

function configuredIdleMs(): number {
  try {
    return uploadLimitsFromEnv().idleMs;
  } catch {
    return defaultUploadLimits.idleMs; // a bad variable is reported by the upload itself and by `pdash serve`
  }
}

/**
 * Removes uploads no chunk has touched for `idleMs` (by default the configured idle time). The clock is a
 * parameter so that tests can move it instead of waiting. Never throws: it runs on a timer in the web server.
 */
export function sweepStaleUploads(uploadsDir: string, options: { now?: number; idleMs?: number } = {}): number {
  const now = options.now ?? Date.now();
  const idleMs = options.idleMs ?? configuredIdleMs();
  let removed = 0;
  for (const entry of readdirOrEmpty(uploadsDir)) {
    if (!entry.isDirectory()) continue;
    const folder = join(uploadsDir, entry.name);
    const touched = statSync(folder, { throwIfNoEntry: false })?.mtimeMs;
    if (touched === undefined || now - touched <= idleMs) continue;
    if (inUse(folder)) continue;
    try {
      rmSync(folder, { recursive: true, force: true });
      removed += 1;
    } catch {
      // Still open elsewhere (Windows) or already gone: the next sweep tries again.
    }
  }
  return removed;
}

const IN_USE_PREFIX = '.in-use-';

/** Whether a live process holds a claim on this upload folder (an import reading its file). */
function inUse(folder: string): boolean {
  return readdirOrEmpty(folder).some((file) => {
    if (!file.name.startsWith(IN_USE_PREFIX)) return false;
    const pid = Number(file.name.slice(IN_USE_PREFIX.length).split('-')[0]);
    return Number.isInteger(pid) && pid > 0 && processAlive(pid);
  });
}

/**
 * Marks the upload folders among `paths` as read by an import of this process, so that no idle sweep (this
 * process's timer, or another process opening the lab) removes a file an import is still reading: a large import
 * can take longer than the idle time. The claim is a file named by pid, so a crashed importer's claim lapses.
 * Returns the release.
 */
export function claimUploads(uploadsDir: string, paths: readonly string[]): () => void {
  const claims: string[] = [];
  for (const path of paths) {
    const folder = uploadFolderOf(uploadsDir, path);
    if (folder === null || statSync(folder, { throwIfNoEntry: false }) === undefined) continue;
    const claim = join(folder, `${IN_USE_PREFIX}${process.pid}-${randomUUID()}`);
    writeFileSync(claim, '');
    claims.push(claim);
  }
  return () => {
    for (const claim of claims) rmSync(claim, { force: true });
  };
}
