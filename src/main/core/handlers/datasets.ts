import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DatasetDetail, SplitName } from '../../../shared/contract/datasets.ts';
import { readWholeArray } from '../datasets/formats/array-source.ts';
import { openNpy } from '../datasets/formats/npy.ts';
import { ArrayFileOpener } from '../datasets/open-array.ts';
import type { LabCore } from '../lab-core.ts';
import { throttle } from '../throttle.ts';
import type { HandlersOf } from './types.ts';

type DatasetChannel = 'datasets/list' | 'datasets/show' | 'datasets/import' | 'datasets/remove';

export function datasetHandlers(core: LabCore): HandlersOf<DatasetChannel> {
  return {
    'datasets/list': ({ offset, limit }) => core.datasets.list(offset, limit),

    'datasets/show': async ({ dataset, samplesPerSplit }) => {
      const record = core.datasets.get(dataset);
      const readStats = async (file: string): Promise<number[]> => Array.from(await readWholeArray(await openNpy(join(record.folder, file))));
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
      const opener = new ArrayFileOpener(core.cwd);
      const importId = randomUUID();
      const progress = throttle((p: { split: SplitName; rowsDone: number; rowsTotal: number }) => core.events.emit('datasets/import-progress', { importId, name: request.name, ...p }), 100);
      try {
        const split = async (x: string, y: string) => ({ x: await opener.open(x, 'x'), y: await opener.open(y, 'y') });
        const train = await split(request.trainX, request.trainY);
        const val = request.valX !== undefined && request.valY !== undefined ? await split(request.valX, request.valY) : undefined;
        const test = await split(request.testX, request.testY);
        const files = [request.trainX, request.trainY, request.valX, request.valY, request.testX, request.testY].filter((f): f is string => f !== undefined);
        return await core.datasets.register({
          name: request.name,
          input: { kind: request.kind, train, val, test, classes: request.classes, valFraction: request.valFraction, valSeed: request.seed },
          source: { type: 'files', detail: files.join(', ') },
          onProgress: progress.call,
        });
      } finally {
        progress.flush();
        await opener.closeAll();
      }
    },

    'datasets/remove': ({ dataset }) => core.datasets.remove(dataset),
  };
}
