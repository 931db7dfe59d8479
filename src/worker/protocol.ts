/**
 * The message protocol between the lab core and a worker process. The same messages travel over every host:
 * child_process.fork (CLI, web mode, tests), Electron's utilityProcess, and later remote workers. Messages are
 * plain JSON-compatible objects; the core validates what it receives with these schemas.
 */
import { z } from 'zod';
import { BACKEND_NAMES, ComputeBackend, Method } from '../shared/contract/index.ts';
import { LAB_ERROR_CODES } from '../shared/errors.ts';
import type { RunConfig } from '../shared/engine/index.ts';

export const ComputeProbe = z.object({
  backends: z.array(ComputeBackend),
  /** The backend a run starts (the first available one); the lab's default concurrency depends on it. */
  preferred: ComputeBackend.shape.name,
  tfjsVersion: z.string(),
});
export type ComputeProbe = z.infer<typeof ComputeProbe>;

export const SerializedError = z.object({
  code: z.enum(LAB_ERROR_CODES),
  message: z.string(),
  hint: z.string().optional(),
});

const SplitFiles = z.object({ x: z.string(), y: z.string() });

/** A stored dataset as the worker reads it: .npy files per split, and the train statistics. */
export const DatasetFiles = z.object({
  name: z.string(),
  kind: z.enum(['classification', 'regression', 'dense']),
  metric: z.enum(['error', 'relative-l2', 'one-minus-macro-f1', 'mse']),
  xShape: z.array(z.number().int()),
  yShape: z.array(z.number().int()),
  classes: z.number().int().nullable(),
  splits: z.object({ train: SplitFiles, val: SplitFiles, test: SplitFiles }),
  normalization: z.object({
    /** (v - mean) / (std + eps). */
    eps: z.number().nonnegative(),
    x: z.object({ mode: z.enum(['channel', 'pointwise']), mean: z.string(), std: z.string() }),
    y: z.object({ mode: z.enum(['channel', 'pointwise']), mean: z.string(), std: z.string() }).nullable(),
  }),
});
export type DatasetFiles = z.infer<typeof DatasetFiles>;

export const RunJob = z.object({
  runId: z.number().int(),
  method: Method,
  seed: z.number().int(),
  /**
   * The run's configuration as the lab stored it when the experiment was created (resolved there, once); the
   * worker checks it (validateConfig) and runs it as it is, never resolving a preset again.
   */
  config: z.custom<RunConfig>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'the run configuration must be an object'),
  dataset: DatasetFiles,
  /** Where the worker writes its checkpoint (atomically: a temporary file, then a rename). */
  checkpointPath: z.string(),
  /** Continue from the checkpoint at checkpointPath. */
  resume: z.boolean(),
  backend: z.enum(BACKEND_NAMES).optional(),
  /** Compute threads for this run: the queue's share of the cores (src/main/core/runs/capacity.ts). */
  threads: z.number().int().positive().optional(),
});
export type RunJob = z.infer<typeof RunJob>;

/** Core -> worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('probe') }),
  z.object({ type: z.literal('run'), job: RunJob }),
  /** Stop at the next step boundary: 'pause' keeps the run resumable, 'cancel' ends it. */
  z.object({ type: z.literal('stop'), mode: z.enum(['cancel', 'pause']) }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker -> core. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('probe-result'), probe: ComputeProbe }),
  z.object({
    type: z.literal('backend'),
    report: z.object({ name: z.string(), threads: z.number().int(), simd: z.boolean(), tfjsVersion: z.string(), detail: z.string() }),
  }),
  /** One engine event (src/shared/engine/events.ts), passed through as the engine emitted it. */
  z.object({ type: z.literal('engine-event'), event: z.looseObject({ type: z.string() }) }),
  z.object({
    type: z.literal('checkpoint-saved'),
    path: z.string(),
    bytes: z.number().int().nonnegative(),
    phase: z.string(),
    round: z.number().int().nullable(),
    trial: z.number().int().nullable(),
    epoch: z.number().int(),
  }),
  /**
   * The worker process's CPU time (user + system, every thread) and wall time since it started, sent with each
   * checkpoint and before the run ends, so a worker killed mid-run has reported most of its work.
   */
  z.object({ type: z.literal('usage'), cpuMs: z.number().nonnegative(), wallMs: z.number().nonnegative() }),
  z.object({ type: z.literal('run-end'), status: z.enum(['done', 'cancelled', 'paused', 'failed']), error: SerializedError.optional() }),
  z.object({ type: z.literal('error'), error: SerializedError }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
