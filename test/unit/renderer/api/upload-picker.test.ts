import { describe, expect, it } from 'vitest';
import type { LabApi } from '../../../../src/shared/rpc.ts';
import { uploadFile } from '../../../../src/renderer/api/upload-picker.ts';

/** A lab that stages what it receives, checking the offsets as the real one does. */
function fakeLab(): { api: LabApi; staged: () => Uint8Array; requests: Array<Record<string, unknown>> } {
  const chunks: Uint8Array[] = [];
  const requests: Array<Record<string, unknown>> = [];
  let size = 0;
  const api = {
    invoke: (channel: string, request: Record<string, unknown>) => {
      expect(channel).toBe('datasets/upload');
      requests.push(request);
      expect(request.offset).toBe(size);
      const bytes = Uint8Array.from(atob(request.data as string), (c) => c.charCodeAt(0));
      chunks.push(bytes);
      size += bytes.length;
      return Promise.resolve({ uploadId: '11111111-2222-3333-4444-555555555555', path: `/lab/uploads/x/${String(request.fileName)}`, bytes: size });
    },
    on: () => () => {},
  } as unknown as LabApi;
  const staged = (): Uint8Array => {
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  };
  return { api, staged, requests };
}

describe('uploadFile', () => {
  it('sends the file in order, chunk by chunk, and answers with the staged path', async () => {
    const content = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256);
    const file = Object.assign(new Blob([content]), { name: 'train-x.npy' });
    const lab = fakeLab();
    const progress: number[] = [];
    const path = await uploadFile(lab.api, file, 4096, (sent) => progress.push(sent));
    expect(path).toBe('/lab/uploads/x/train-x.npy');
    expect(lab.staged()).toEqual(content);
    expect(lab.requests.map((r) => r.offset)).toEqual([0, 4096, 8192]);
    expect(lab.requests[0]!.uploadId).toBeUndefined();
    expect(lab.requests[1]!.uploadId).toBe('11111111-2222-3333-4444-555555555555');
    expect(progress).toEqual([4096, 8192, 10_000]);
  });

  it('sends an empty file as one empty chunk', async () => {
    const lab = fakeLab();
    await uploadFile(lab.api, Object.assign(new Blob([]), { name: 'empty.csv' }), 4096);
    expect(lab.requests).toHaveLength(1);
  });
});
