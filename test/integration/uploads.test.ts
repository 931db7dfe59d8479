import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimUploads, defaultUploadLimits, stageUploadChunk, stagedBytes, sweepStaleUploads, uploadLimitsFromEnv, type UploadLimits } from '../../src/main/core/datasets/uploads.ts';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { UPLOAD_CHUNK_MAX_BASE64, UPLOAD_CHUNK_MAX_BYTES } from '../../src/shared/contract/datasets.ts';
import { LabError } from '../../src/shared/errors.ts';
import { writeNpyFile } from '../helpers/npy.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;
beforeEach(() => {
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'web' });
});
afterEach(() => {
  core.close();
  dir.remove();
});

/** Uploads a file through the channel in chunks of `chunk` bytes, as the browser does. */
async function upload(name: string, bytes: Buffer, chunk = 1000): Promise<string> {
  let uploadId: string | undefined;
  let path = '';
  for (let offset = 0; offset < bytes.length || offset === 0; offset += chunk) {
    const answer = (await core.request('datasets/upload', { ...(uploadId ? { uploadId } : {}), fileName: name, offset, data: bytes.subarray(offset, offset + chunk).toString('base64') })) as { uploadId: string; path: string; bytes: number };
    uploadId = answer.uploadId;
    path = answer.path;
    expect(answer.bytes).toBe(Math.min(bytes.length, offset + chunk));
    if (bytes.length === 0) break;
  }
  return path;
}

async function refusal(promise: Promise<unknown>): Promise<LabError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as LabError,
  );
}

describe('datasets/upload', () => {
  it('stages a file chunk by chunk in the lab folder, byte for byte, and an import that uses it removes it', async () => {
    const files = (split: string, n: number) => ({
      x: readFileSync(writeNpyFile(join(dir.path, `${split}-x.npy`), '<f4', [n, 8, 1], new Float32Array(n * 8).map((_, i) => Math.sin(i)))),
      y: readFileSync(writeNpyFile(join(dir.path, `${split}-y.npy`), '<i4', [n], new Int32Array(n).map((_, i) => i % 2))),
    });
    const train = files('train', 30);
    const test = files('test', 10);
    const paths = { trainX: await upload('train x.npy', train.x), trainY: await upload('train-y.npy', train.y), testX: await upload('test-x.npy', test.x), testY: await upload('test-y.npy', test.y) };
    expect(readFileSync(paths.trainX).equals(train.x)).toBe(true);
    expect(paths.trainX.startsWith(core.paths.uploads)).toBe(true);
    expect(paths.trainX.endsWith('train_x.npy')).toBe(true);
    const summary = (await core.request('datasets/import', { name: 'uploaded', kind: 'classification', ...paths })) as { splits: { train: number } };
    expect(summary.splits.train).toBe(27);
    expect(readdirSync(core.paths.uploads)).toEqual([]);
  });

  it('refuses a chunk at the wrong offset, a file type it cannot import, and an unknown upload', async () => {
    const first = (await core.request('datasets/upload', { fileName: 'a.npy', offset: 0, data: Buffer.from('abcd').toString('base64') })) as { uploadId: string };
    const gap = await refusal(core.request('datasets/upload', { uploadId: first.uploadId, fileName: 'a.npy', offset: 10, data: 'AAAA' }));
    expect(gap.code).toBe('conflict');
    expect(gap.message).toContain('4 bytes are staged');
    const exe = await refusal(core.request('datasets/upload', { fileName: 'run.sh', offset: 0, data: 'AAAA' }));
    expect(exe.message).toContain('only .npy, .npz, .csv and .tsv');
    const unknown = await refusal(core.request('datasets/upload', { uploadId: '00000000-0000-0000-0000-000000000000', fileName: 'a.npy', offset: 0, data: 'AAAA' }));
    expect(unknown.code).toBe('not-found');
  });

  it('keeps a name that tries to leave the folder inside it', async () => {
    const answer = (await core.request('datasets/upload', { fileName: '../../../etc/evil.npy', offset: 0, data: 'AAAA' })) as { path: string };
    expect(answer.path.startsWith(core.paths.uploads)).toBe(true);
    expect(answer.path.endsWith('evil.npy')).toBe(true);
    expect(existsSync(join(dir.path, 'etc'))).toBe(false);
  });
});

/** What a client sends for one chunk, through the channel (contract validation included). */
function chunk(data: string, offset = 0, uploadId?: string, fileName = 'a.npy'): Promise<{ uploadId: string; path: string; bytes: number }> {
  return core.request('datasets/upload', { ...(uploadId === undefined ? {} : { uploadId }), fileName, offset, data }) as Promise<{ uploadId: string; path: string; bytes: number }>;
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

describe('datasets/upload refuses what it cannot stage faithfully (issue #10)', () => {
  it('refuses invalid base64 instead of staging silently different bytes, and discards the upload', async () => {
    // Buffer.from('QU!JD', 'base64') skips the '!' and yields bytes; the upload used to accept it.
    const first = await refusal(chunk('QU!JD'));
    expect(first.code).toBe('bad-request');
    expect(first.message).toBe('a.npy: the chunk at byte 0 is not valid base64: character "!" at position 2.');
    expect(readdirSync(core.paths.uploads)).toEqual([]);

    const started = await chunk(b64('abcd'));
    for (const bad of ['QUJD\n', 'QUJ', 'QQ=A', 'QR==']) {
      const again = await chunk(b64('abcd'));
      const error = await refusal(chunk(bad, 4, again.uploadId));
      expect(error.code, bad).toBe('bad-request');
      expect(error.message, bad).toContain('a.npy: the chunk at byte 4 is not valid base64');
      // The staged part of a failed upload goes with it: nothing an import could pick up half-written.
      expect(existsSync(join(core.paths.uploads, again.uploadId)), bad).toBe(false);
      expect((await refusal(chunk(b64('efgh'), 4, again.uploadId))).code).toBe('not-found');
    }
    // Other uploads are untouched, and a good upload still works.
    expect(readFileSync(started.path, 'utf8')).toBe('abcd');
    const good = await chunk(b64('efgh'), 4, started.uploadId);
    expect(good.bytes).toBe(8);
    expect(readFileSync(good.path, 'utf8')).toBe('abcdefgh');
  });

  it('refuses a chunk beyond the shared chunk limit, and stages one at the limit', async () => {
    const tooBig = await refusal(chunk('A'.repeat(UPLOAD_CHUNK_MAX_BASE64 + 4)));
    expect(tooBig.code).toBe('bad-request');
    expect(tooBig.message).toContain('data');
    const full = await chunk(Buffer.alloc(UPLOAD_CHUNK_MAX_BYTES, 7).toString('base64'));
    expect(full.bytes).toBe(UPLOAD_CHUNK_MAX_BYTES);
  });

  it('refuses another file name under an existing upload id', async () => {
    const first = await chunk(b64('abcd'));
    const other = await refusal(chunk(b64('efgh'), 0, first.uploadId, 'b.npy'));
    expect(other.code).toBe('conflict');
    expect(other.message).toBe(`Upload ${first.uploadId} stages a.npy, not b.npy.`);
  });

  const limits = (over: Partial<UploadLimits>): UploadLimits => ({ ...defaultUploadLimits, ...over });

  it('caps the size of one upload with a clear message, and discards it', () => {
    const small = limits({ maxUploadBytes: 10 });
    const first = stageUploadChunk(core.paths.uploads, { fileName: 'x.npy', offset: 0, data: b64('12345678') }, small);
    let error: LabError | undefined;
    try {
      stageUploadChunk(core.paths.uploads, { uploadId: first.uploadId, fileName: 'x.npy', offset: 8, data: b64('9abc') }, small);
    } catch (e) {
      error = e as LabError;
    }
    expect(error?.message).toBe('x.npy: the upload would reach 12 B, over the 10 B one file may stage.');
    expect(error?.hint).toContain('PDASH_UPLOAD_MAX_MB');
    expect(readdirSync(core.paths.uploads)).toEqual([]);
  });

  it('caps the bytes all staged uploads hold together, keeping the uploads already staged', () => {
    const tight = limits({ maxStagedBytes: 12 });
    const first = stageUploadChunk(core.paths.uploads, { fileName: 'x.npy', offset: 0, data: b64('12345678') }, tight);
    expect(() => stageUploadChunk(core.paths.uploads, { fileName: 'y.npy', offset: 0, data: b64('12345678') }, tight)).toThrow(
      'y.npy: staged uploads hold 8 B; this chunk would pass the 12 B all uploads may hold together.',
    );
    expect(readdirSync(core.paths.uploads)).toEqual([first.uploadId]);
    expect(stagedBytes(core.paths.uploads)).toBe(8);
  });

  it('reads the limits from the environment, and names a variable that is not a number', () => {
    expect(uploadLimitsFromEnv({})).toEqual(defaultUploadLimits);
    expect(uploadLimitsFromEnv({ PDASH_UPLOAD_MAX_MB: '2', PDASH_UPLOADS_TOTAL_MAX_MB: '3', PDASH_UPLOAD_IDLE_MINUTES: '5' })).toEqual({ maxUploadBytes: 2 * 1024 * 1024, maxStagedBytes: 3 * 1024 * 1024, idleMs: 5 * 60 * 1000 });
    expect(() => uploadLimitsFromEnv({ PDASH_UPLOAD_MAX_MB: 'lots' })).toThrow('PDASH_UPLOAD_MAX_MB="lots" is not a positive whole number.');
    expect(() => uploadLimitsFromEnv({ PDASH_UPLOAD_IDLE_MINUTES: '0' })).toThrow('PDASH_UPLOAD_IDLE_MINUTES="0"');
  });
});

describe('the sweep of abandoned uploads', () => {
  const idleMs = 60 * 60 * 1000;

  it('removes an upload untouched for the idle time and keeps a recent one (clock injected)', async () => {
    const abandoned = await chunk(b64('abcd'));
    const folder = join(core.paths.uploads, abandoned.uploadId);
    const touched = statSync(folder).mtimeMs;
    expect(sweepStaleUploads(core.paths.uploads, { now: touched + idleMs - 1000, idleMs })).toBe(0);
    expect(existsSync(folder)).toBe(true);
    expect(sweepStaleUploads(core.paths.uploads, { now: touched + idleMs + 1000, idleMs })).toBe(1);
    expect(existsSync(folder)).toBe(false);
    expect((await refusal(chunk(b64('efgh'), 4, abandoned.uploadId))).code).toBe('not-found');
  });

  it('counts a new chunk as a touch, even an empty one', async () => {
    const upload = await chunk(b64('abcd'));
    const folder = join(core.paths.uploads, upload.uploadId);
    const twoHoursAgo = new Date(Date.now() - 2 * idleMs);
    utimesSync(folder, twoHoursAgo, twoHoursAgo);
    await chunk('', 4, upload.uploadId);
    expect(sweepStaleUploads(core.paths.uploads, { now: Date.now(), idleMs })).toBe(0);
    expect(readFileSync(upload.path, 'utf8')).toBe('abcd');
  });

  it('keeps an upload an import of a live process is reading, however long it takes, and sweeps it once released', async () => {
    const upload = await chunk(b64('abcd'));
    const folder = join(core.paths.uploads, upload.uploadId);
    const release = claimUploads(core.paths.uploads, [upload.path, join(dir.path, 'not-an-upload.npy')]);
    const later = Date.now() + 2 * idleMs;
    expect(sweepStaleUploads(core.paths.uploads, { now: later, idleMs })).toBe(0);
    expect(readFileSync(upload.path, 'utf8')).toBe('abcd');
    release();
    expect(sweepStaleUploads(core.paths.uploads, { now: later, idleMs })).toBe(1);
    expect(existsSync(folder)).toBe(false);
  });

  it("ignores the claim of a process that died (a crashed import's upload is still swept)", async () => {
    const upload = await chunk(b64('abcd'));
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(join(core.paths.uploads, upload.uploadId, `.in-use-${deadPid}-x`), '');
    expect(sweepStaleUploads(core.paths.uploads, { now: Date.now() + 2 * idleMs, idleMs })).toBe(1);
  });

  it('never throws, even when the uploads folder is gone', () => {
    expect(sweepStaleUploads(join(dir.path, 'no-such-folder'), { now: Date.now(), idleMs })).toBe(0);
  });
});
