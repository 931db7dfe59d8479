/**
 * The file picker of the import form where the page cannot hand the lab a path on its own disk (web mode, and
 * the app until its preload offers a native dialog): the browser's file chooser, then the file is staged in the
 * lab folder chunk by chunk over `datasets/upload`, and the picker answers with the staged file's path on the
 * lab's machine — which is what `datasets/import` takes.
 */
import type { LabApi } from '../../shared/rpc.ts';
import type { ArrayFilePicker } from '../composables/use-array-file-picker.ts';

/** 4 MiB a chunk: large enough to be quick, small enough for one WebSocket message with room to spare. */
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Sends a file to the lab in order, chunk by chunk; resolves with its staged path on the lab's machine. */
export async function uploadFile(api: LabApi, file: Blob & { name: string }, chunkBytes = UPLOAD_CHUNK_BYTES, onProgress?: (sent: number, total: number) => void): Promise<string> {
  let uploadId: string | undefined;
  let path = '';
  let offset = 0;
  do {
    const bytes = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    const answer = await api.invoke('datasets/upload', { ...(uploadId !== undefined ? { uploadId } : {}), fileName: file.name, offset, data: toBase64(bytes) });
    uploadId = answer.uploadId;
    path = answer.path;
    offset = answer.bytes;
    onProgress?.(offset, file.size);
  } while (offset < file.size);
  return path;
}

export function createUploadPicker(api: LabApi, doc: Document): ArrayFilePicker {
  return {
    pickArrayFile: () =>
      new Promise<string | null>((resolve, reject) => {
        const input = doc.createElement('input');
        input.type = 'file';
        input.accept = '.npy,.npz,.csv,.tsv';
        input.addEventListener('cancel', () => resolve(null));
        input.addEventListener('change', () => {
          const file = input.files?.[0];
          if (file === undefined) resolve(null);
          else uploadFile(api, file).then(resolve, reject);
        });
        input.click();
      }),
  };
}
