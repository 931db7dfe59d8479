import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
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
