/**
 * NAS-Bench-360's NinaPro DB5 files: `ninapro_{train,val,test}.npy` hold sEMG windows of shape (N, 52, 16)
 * (52 time steps x 16 electrodes) and `label_{train,val,test}.npy` the gesture (0..17). Each window is
 * transposed to 16 x 52 (electrodes as rows, time as columns) and given a channel axis: samples [16, 52, 1].
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../../../../shared/errors.ts';
import { forEachRowBatch, openNpy, readWholeArray, type ArraySource } from '../../../../array-io/index.ts';
import type { SplitData, TaskData } from './task-data.ts';
import { assertFinite, assertSampleCounts, toClassLabels } from './validate.ts';

export const ninaproTimeSteps = 52;
export const ninaproElectrodes = 16;
export const ninaproClasses = 18;

const splitNames = ['train', 'val', 'test'] as const;

export function ninaproFiles(dir: string): Record<(typeof splitNames)[number], { x: string; y: string }> {
  return {
    train: { x: join(dir, 'ninapro_train.npy'), y: join(dir, 'label_train.npy') },
    val: { x: join(dir, 'ninapro_val.npy'), y: join(dir, 'label_val.npy') },
    test: { x: join(dir, 'ninapro_test.npy'), y: join(dir, 'label_test.npy') },
  };
}

export async function readNinaproDir(dir: string): Promise<TaskData> {
  const files = ninaproFiles(dir);
  const missing: string[] = [];
  for (const name of splitNames) {
    for (const path of [files[name].x, files[name].y]) {
      await access(path).catch(() => missing.push(path));
    }
  }
  if (missing.length > 0) {
    throw new LabError(
      'not-found',
      `${dir}: not a NinaPro folder: missing ${missing.map((p) => p.slice(dir.length + 1)).join(', ')}`,
      'Choose the folder holding ninapro_{train,val,test}.npy and label_{train,val,test}.npy from NAS-Bench-360.',
    );
  }
  const splits = {} as Record<(typeof splitNames)[number], SplitData>;
  for (const name of splitNames) splits[name] = await readSplit(files[name].x, files[name].y);
  return {
    kind: 'classification',
    splits,
    xShape: [ninaproElectrodes, ninaproTimeSteps, 1],
    yShape: [],
    classes: Array.from({ length: ninaproClasses }, (_, i) => `gesture ${i}`),
    metric: { name: 'error', direction: 'minimize' },
    details: {
      source: 'NAS-Bench-360 NinaPro DB5',
      folder: dir,
      layout: 'files (N, 52, 16) transposed to (N, 16, 52); samples [16, 52, 1]',
      samples: { train: splits.train.n, val: splits.val.n, test: splits.test.n },
    },
  };
}

async function readSplit(xPath: string, yPath: string): Promise<SplitData> {
  const xs = await openNpy(xPath);
  const ys = await openNpy(yPath);
  try {
    const [n, timeSteps, electrodes] = xs.shape;
    if (xs.shape.length !== 3 || timeSteps !== ninaproTimeSteps || electrodes !== ninaproElectrodes) {
      throw new LabError(
        'bad-request',
        `${xPath}: shape (${xs.shape.join(', ')}) is not (N, ${ninaproTimeSteps}, ${ninaproElectrodes}) (samples, time steps, electrodes)`,
        'Use the NinaPro arrays as NAS-Bench-360 ships them.',
      );
    }
    const labelsShape = ys.shape;
    if (labelsShape.length < 1 || labelsShape.slice(1).some((d) => d !== 1)) {
      throw new LabError('bad-request', `${yPath}: labels have shape (${labelsShape.join(', ')}); expected (N,)`, 'Store one integer label per sample.');
    }
    assertSampleCounts(n!, labelsShape[0]!, `${xPath} and ${yPath}`);
    const y = toClassLabels(await readWholeArray(ys), ninaproClasses, yPath);
    const x = await transposedWindows(xs, n!);
    return { x, y, n: n! };
  } finally {
    await xs.close();
    await ys.close();
  }
}

/** Reads (N, 52, 16) in batches and writes each window transposed, as (N, 16, 52). */
async function transposedWindows(source: ArraySource, n: number): Promise<Float32Array> {
  const size = ninaproTimeSteps * ninaproElectrodes;
  const out = new Float32Array(n * size);
  await forEachRowBatch(source, 1024, (rows, first, count) => {
    assertFinite(rows, source.path, 'inputs', size, first);
    for (let s = 0; s < count; s++) {
      const base = s * size;
      const target = (first + s) * size;
      for (let t = 0; t < ninaproTimeSteps; t++) {
        for (let e = 0; e < ninaproElectrodes; e++) out[target + e * ninaproTimeSteps + t] = rows[base + t * ninaproElectrodes + e]!;
      }
    }
  });
  return out;
}
