/**
 * Opens a MAT-file of any version P-DASH Lab reads: v5/v6/v7 (mat5.ts) or v7.3 / plain HDF5 (mat73.ts).
 * MAT v4 files (no text header) are refused.
 */
import { stat } from 'node:fs/promises';
import { LabError } from '../shared/errors.ts';
import { readFileRange } from './byte-runs.ts';
import { openMat5, type Mat5Options, type MatFile } from './mat5.ts';
import { openMat73 } from './mat73.ts';

export type { MatClass, MatFile, MatVariable } from './mat5.ts';

const hdf5Signature = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export async function openMat(path: string, options: Mat5Options = {}): Promise<MatFile> {
  const size = (await stat(path)).size;
  const head = await readFileRange(path, 0, Math.min(size, 520));
  const hasSignature = (at: number): boolean => hdf5Signature.every((b, i) => head[at + i] === b);
  if (hasSignature(0)) return openMat73(path, false, options);
  if (size < 128) {
    throw new LabError(
      'bad-request',
      `${path}: ${size} bytes is too short to be a MAT-file (its header alone is 128 bytes)`,
      'Choose a MAT-file saved by MATLAB or scipy.io.savemat.',
    );
  }
  const indicator = String.fromCharCode(head[126]!, head[127]!);
  const text = new TextDecoder('latin1').decode(head.subarray(0, 116));
  if (indicator !== 'IM' && indicator !== 'MI') {
    throw new LabError(
      'bad-request',
      `${path}: not a MAT v5, v7 or v7.3 file (no MAT header${text.startsWith('MATLAB') ? ', the endian indicator is missing' : '; MAT v4 files have none and are not supported'})`,
      "Save the data with MATLAB's save -v7 or -v7.3, or with scipy.io.savemat.",
    );
  }
  const version = new DataView(head.buffer, head.byteOffset).getUint16(124, indicator === 'IM');
  if (version === 0x0200) {
    if (!hasSignature(512)) {
      throw new LabError(
        'bad-request',
        `${path}: the header says MAT v7.3 but no HDF5 data follows at byte 512`,
        'The file is damaged or truncated; save it again with save -v7.3.',
      );
    }
    return openMat73(path, true, options);
  }
  if (version !== 0x0100) {
    throw new LabError(
      'bad-request',
      `${path}: MAT-file version 0x${version.toString(16)} is not supported (0x0100 is v5-v7, 0x0200 is v7.3)`,
      "Save the data with MATLAB's save -v7 or -v7.3, or with scipy.io.savemat.",
    );
  }
  return openMat5(path, head.subarray(0, 128), options);
}
