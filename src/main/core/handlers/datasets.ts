import { randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LabError } from '../../../shared/errors.ts';
import { builtinTasks } from '../datasets/builtin/index.ts';
import type { ImportProgress } from '../datasets/import-pipeline.ts';
import { readDarcyMat } from '../datasets/preprocess/darcy.ts';
import { readEcgPickle } from '../datasets/preprocess/ecg.ts';
import { readNinaproDir } from '../datasets/preprocess/ninapro.ts';
import { registerTaskData } from '../datasets/task-data-import.ts';
import { claimUploads, stageUploadChunk, uploadFolderOf, uploadLimitsFromEnv } from '../datasets/uploads.ts';
import type { DatasetDetail, SplitName } from '../../../shared/contract/index.ts';
import { openNpy, readWholeArray } from '../../../array-io/index.ts';
import { ArrayFileOpener } from '../datasets/open-array.ts';
import type { LabServices } from '../lab-services.ts';
import { throttle } from '../throttle.ts';
import type { HandlersOf } from './types.ts';

type DatasetChannel = 'datasets/list' | 'datasets/show' | 'datasets/import' | 'datasets/generate' | 'datasets/import-nb360' | 'datasets/upload' | 'datasets/remove';

/** NAS-Bench-360's DarcyFlow files: smooth1 trains, smooth2 tests (as FNO and NAS-Bench-360 use them). */
const DARCY_TRAIN = 'piececonst_r421_N1024_smooth1.mat';
const DARCY_TEST = 'piececonst_r421_N1024_smooth2.mat';
const ECG_FILE = 'challenge2017.pkl';

/** Import progress as throttled events (about 10 Hz) under one id per import. */
function importProgress(core: LabServices, name: string): { call: (p: ImportProgress) => void; flush: () => void } {
  const importId = randomUUID();
  return throttle((p: ImportProgress) => core.events.emit('datasets/import-progress', { importId, name, ...p }), 100);
}

export function datasetHandlers(core: LabServices): HandlersOf<DatasetChannel> {
  return {
    'datasets/list': ({ offset, limit }) => core.datasets.list(offset, limit),

    'datasets/show': async ({ dataset, samplesPerSplit }) => {
      const record = core.datasets.get(dataset);
      const readStats = async (file: string): Promise<number[]> => {
        const source = await openNpy(join(record.folder, file));
        try {
          return Array.from(await readWholeArray(source));
        } finally {
          await source.close();
        }
      };
      const samples: DatasetDetail['samples'] = [];
      for (const split of ['train', 'val', 'test'] as SplitName[]) {
        const count = Math.min(samplesPerSplit, record.splits[split]);
        if (count === 0) continue;
        const x = await openNpy(record.files[split].x);
        const y = await openNpy(record.files[split].y);
        try {
          const xs = await x.readRows(0, count);
          const ys = await y.readRows(0, count);
          const xWidth = xs.length / count;
          const yWidth = ys.length / count;
          for (let i = 0; i < count; i++) {
            samples.push({ split, index: i, x: Array.from(xs.subarray(i * xWidth, (i + 1) * xWidth)), y: Array.from(ys.subarray(i * yWidth, (i + 1) * yWidth)) });
          }
        } finally {
          await x.close();
          await y.close();
        }
      }
      const { normalization, files: _files, ...rest } = record;
      return {
        ...rest,
        normalization: {
          x: { mode: normalization.x.mode, mean: await readStats(normalization.x.meanFile), std: await readStats(normalization.x.stdFile) },
          y: normalization.y ? { mode: normalization.y.mode, mean: await readStats(normalization.y.meanFile), std: await readStats(normalization.y.stdFile) } : null,
        },
        samples,
      };
    },

    'datasets/import': async (request) => {
      const opener = new ArrayFileOpener(core.cwd, core.paths.datasets);
      const progress = importProgress(core, request.name);
      const files = [request.trainX, request.trainY, request.valX, request.valY, request.testX, request.testY].filter((f): f is string => f !== undefined);
      // A file spec may name an array inside an archive (`data.npz:x`): the file is the part before the name.
      const filePaths = files.map((file) => resolve(core.cwd, file.replace(/:[^/\\:]+$/, '')));
      const releaseUploads = claimUploads(core.paths.uploads, filePaths);
      try {
        const split = async (x: string, y: string) => ({ x: await opener.open(x, 'x'), y: await opener.open(y, 'y') });
        const train = await split(request.trainX, request.trainY);
        const val = request.valX !== undefined && request.valY !== undefined ? await split(request.valX, request.valY) : undefined;
        const test = await split(request.testX, request.testY);
        const summary = await core.datasets.register({
          name: request.name,
          input: { kind: request.kind, train, val, test, classes: request.classes, valFraction: request.valFraction, valSeed: request.seed },
          source: { type: 'files', detail: files.join(', ') },
          onProgress: progress.call,
        });
        // Uploaded files were staged for this import only: once stored, the staging copies go.
        await opener.closeAll();
        for (const path of filePaths) {
          const folder = uploadFolderOf(core.paths.uploads, path);
          if (folder !== null) await rm(folder, { recursive: true, force: true });
        }
        return summary;
      } finally {
        releaseUploads();
        progress.flush();
        await opener.closeAll();
      }
    },

    'datasets/generate': async ({ task, name, size, seed }) => {
      const builtin = builtinTasks[task];
      const datasetName = name ?? `${task}-${size}-seed${seed}`;
      const progress = importProgress(core, datasetName);
      try {
        return await registerTaskData(core.datasets, {
          name: datasetName,
          data: builtin.generate({ seed, size }),
          source: { type: 'generated', detail: `${task} (${builtin.title}; stands in for NAS-Bench-360 ${builtin.standsInFor}), size ${size}, seed ${seed}` },
          // A stand-in is not the published task: its numbers are not comparable with the published ones.
          publishedTask: null,
          onProgress: progress.call,
        });
      } finally {
        progress.flush();
      }
    },

    'datasets/import-nb360': async ({ task, dir, name, seed }) => {
      const folder = resolve(core.cwd, dir);
      if (!statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        throw new LabError('not-found', `${folder} is not a folder.`, `Pass the folder that holds the NAS-Bench-360 ${task} files.`);
      }
      const datasetName = name ?? `nb360-${task}`;
      let data;
      if (task === 'ninapro') data = await readNinaproDir(folder);
      else if (task === 'darcy') {
        const train = join(folder, DARCY_TRAIN);
        const test = join(folder, DARCY_TEST);
        if (!existsSync(train)) throw new LabError('not-found', `${folder} has no ${DARCY_TRAIN}.`, `Download DarcyFlow from NAS-Bench-360 and pass the folder holding ${DARCY_TRAIN} (and ${DARCY_TEST}).`);
        data = await readDarcyMat(existsSync(test) ? { train, test } : { train });
      } else {
        const file = join(folder, ECG_FILE);
        if (!existsSync(file)) throw new LabError('not-found', `${folder} has no ${ECG_FILE}.`, `Pass the folder holding NAS-Bench-360's ${ECG_FILE}.`);
        data = await readEcgPickle(file, { seed });
      }
      const progress = importProgress(core, datasetName);
      try {
        return await registerTaskData(core.datasets, { name: datasetName, data, source: { type: 'nb360', detail: `NAS-Bench-360 ${task} from ${folder}` }, publishedTask: task, onProgress: progress.call });
      } finally {
        progress.flush();
      }
    },

    'datasets/upload': (chunk) => stageUploadChunk(core.paths.uploads, chunk, uploadLimitsFromEnv()),

    'datasets/remove': ({ dataset }) => core.datasets.remove(dataset),
  };
}
