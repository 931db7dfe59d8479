/**
 * Stores what a built-in generator or a NAS-Bench-360 reader produced (TaskData) through the registry, like any
 * import. Targets a reader normalised are stored decoded (raw), because the registry keeps its own train
 * statistics and the engine undoes exactly those when it scores.
 */
import type { DatasetSummary } from '../../../shared/contract/index.ts';
import { memoryArraySource } from '../../../array-io/index.ts';
import type { ImportProgress } from './import-pipeline.ts';
import type { SplitData, TaskData } from './preprocess/task-data.ts';
import type { DatasetRegistry } from './registry.ts';

function decodeTargets(split: SplitData, data: TaskData): Float32Array | Int32Array {
  const norm = data.targetNormalization;
  if (norm === undefined || split.y instanceof Int32Array) return split.y;
  const out = new Float32Array(split.y.length);
  const width = norm.mean.length;
  for (let i = 0; i < out.length; i++) {
    const k = i % width;
    out[i] = split.y[i]! * (norm.std[k]! + norm.eps) + norm.mean[k]!;
  }
  return out;
}

export interface TaskDataImport {
  name: string;
  data: TaskData;
  source: DatasetSummary['source'];
  publishedTask: DatasetSummary['publishedTask'];
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
}

export function registerTaskData(registry: DatasetRegistry, options: TaskDataImport): Promise<DatasetSummary> {
  const { data, name } = options;
  const source = (split: 'train' | 'val' | 'test') => {
    const s = data.splits[split];
    const y = decodeTargets(s, data);
    return {
      x: memoryArraySource(`${name} ${split} x`, s.x, [s.n, ...data.xShape], 'float32'),
      y: memoryArraySource(`${name} ${split} y`, y, data.kind === 'classification' ? [s.n] : [s.n, ...data.yShape], y instanceof Int32Array ? 'int32' : 'float32'),
    };
  };
  return registry.register({
    name,
    input: {
      kind: data.kind === 'classification' ? 'classification' : 'dense',
      train: source('train'),
      val: source('val'),
      test: source('test'),
      ...(data.classes ? { classes: data.classes.length } : {}),
    },
    source: options.source,
    publishedTask: options.publishedTask,
    classNames: data.classes ?? null,
    metric: { name: data.metric.name, direction: data.metric.direction },
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
