/**
 * What a run learns: the task's kind, metric and shapes, and how its targets were normalised. The engine's
 * data/dataset.ts adds the splits (tensors or batch readers); the lab core describes stored datasets with it.
 */
import type { MetricName } from './metrics.ts';

export type TaskKind = 'classification' | 'dense-regression';

export interface TaskSpec {
  kind: TaskKind;
  /** How results are scored; see metrics/task-metric.ts. */
  metric: MetricName;
  /** One sample's input shape, channels last: [L, C] (1-D) or [H, W, C] (2-D). */
  inputShape: number[];
  /** Classification: number of classes; labels are integers 0..numClasses-1. */
  numClasses?: number;
  /** Dense regression: one sample's target shape, [H, W] or [H, W, channels]. */
  targetShape?: number[];
}

/**
 * Pointwise (or scalar) target normalisation that training targets carry; metrics undo it:
 * y = y_normalised * (std + eps) + mean, element-wise over one sample's target (length prod(targetShape), or 1).
 */
export interface TargetNormalization {
  mean: Float32Array;
  std: Float32Array;
  eps: number;
}

export function taskRank(task: TaskSpec): 1 | 2 {
  const r = task.inputShape.length - 1;
  if (r !== 1 && r !== 2) throw new Error(`task: inputShape must be [L, C] or [H, W, C], got [${task.inputShape.join(', ')}]`);
  return r;
}

export function validateTask(task: TaskSpec): void {
  taskRank(task);
  if (task.inputShape.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`task: inputShape must hold positive integers, got [${task.inputShape.join(', ')}]`);
  if (task.kind === 'classification') {
    if (task.numClasses === undefined || !Number.isInteger(task.numClasses) || task.numClasses < 2) {
      throw new Error(`task: classification needs numClasses >= 2, got ${String(task.numClasses)}`);
    }
    if (task.metric === 'relative-l2') throw new Error('task: relative-l2 is a regression metric; classification uses error or one-minus-macro-f1');
  } else {
    if (task.metric !== 'relative-l2') throw new Error(`task: dense regression is scored by relative-l2, got ${task.metric}`);
    if (taskRank(task) !== 2) throw new Error('task: dense regression is supported for 2-D inputs only');
    const t = task.targetShape;
    if (t === undefined || t.length < 2 || t.length > 3 || t[0] !== task.inputShape[0] || t[1] !== task.inputShape[1]) {
      throw new Error(`task: dense regression needs targetShape [H, W] or [H, W, C] matching the input's [H, W], got ${t === undefined ? 'none' : `[${t.join(', ')}]`}`);
    }
  }
}

/** Output channels of a dense-regression target. */
export function targetChannels(task: TaskSpec): number {
  const t = task.targetShape ?? [];
  return t.length === 3 ? t[2]! : 1;
}
