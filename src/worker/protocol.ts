/**
 * The message protocol between the lab core and a worker process. The same messages travel over every host:
 * child_process.fork (CLI, web mode, tests), Electron's utilityProcess, and later remote workers. Messages are
 * plain JSON-compatible objects; the core validates what it receives with these schemas.
 */
import { z } from 'zod';
import { BACKEND_NAMES, ComputeBackend, Method } from '../shared/contract/index.ts';
import { LAB_ERROR_CODES } from '../shared/errors.ts';
import {
  MIXTURE_CANDIDATES,
  MIXTURE_METHODS,
  REFERENCE_NAMES,
  STEP_REFERENCES,
  type BenchSpec,
  type MixtureBenchResult,
  type MixtureLayerResult,
  type RunConfig,
  type StepBenchResult,
} from '../shared/engine/index.ts';

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

// ---------------------------------------------------------------------------------------------------------
// Benchmarks (`pdash bench`): the shapes are the vocabulary's (src/shared/engine/bench.ts); each schema is typed
// as the vocabulary's type, so the two cannot drift apart.

const Count = z.number().int().positive();

export const BenchSpecSchema: z.ZodType<BenchSpec> = z.object({
  mixture: z
    .object({ filter: z.string().optional(), batch: Count.optional(), repeats: Count.optional(), maxCallMs: z.number().positive().optional() })
    .strict()
    .nullable(),
  step: z
    .object({ references: z.array(z.enum(STEP_REFERENCES)).optional(), batch: Count.optional(), repeats: Count.optional() })
    .strict()
    .nullable(),
});

/** A measurement: NaN (a method that computed NaN) and infinities are results too, so any number passes. */
const Measured = z.custom<number>((value) => typeof value === 'number', 'expected a number');
const Shape = z.array(z.number().int().nonnegative());
const MixtureMethodName = z.enum(MIXTURE_METHODS);
const MixtureCandidateName = z.enum(MIXTURE_CANDIDATES);

export const MixtureLayerResultSchema: z.ZodType<MixtureLayerResult> = z.object({
  name: z.string(),
  reference: z.enum([...REFERENCE_NAMES, 'custom']),
  rank: z.union([z.literal(1), z.literal(2)]),
  inputShape: Shape,
  outputShape: Shape,
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  stride: z.number().int().positive(),
  depthwise: z.boolean(),
  kernels: z.array(z.number().int().positive()),
  dilations: z.array(z.number().int().positive()),
  patterns: z.number().int().positive(),
  slots: z.number().int().nonnegative(),
  naiveFlops: z.number().nonnegative(),
  methods: z.array(
    z.object({
      method: MixtureCandidateName,
      ms: Measured.nullable(),
      samples: z.number().int().nonnegative(),
      gflops: Measured.nullable(),
      maxRelDiff: Measured.nullable(),
      differences: z.object({ output: Measured, dx: Measured, weights: Measured, alpha: Measured, bias: Measured.nullable() }).nullable(),
      note: z.string().nullable(),
    }),
  ),
  pick: MixtureMethodName,
  best: MixtureCandidateName.nullable(),
  ratio: Measured.nullable(),
  estimatesMs: z.partialRecord(MixtureMethodName, Measured).nullable(),
});

export const MixtureBenchResultSchema: z.ZodType<MixtureBenchResult> = z.object({
  tfjsBackend: z.string(),
  repeats: Count,
  maxCallMs: z.number().positive(),
  layers: z.array(MixtureLayerResultSchema),
});

const StepNetwork = z.object({ ms: Measured, samples: z.number().int().nonnegative(), parameters: z.number().int().nonnegative(), flops: z.number().nonnegative(), gflops: Measured });

export const StepBenchResultSchema: z.ZodType<StepBenchResult> = z.object({
  tfjsBackend: z.string(),
  batch: Count,
  repeats: Count,
  references: z.array(
    z.object({
      reference: z.enum(STEP_REFERENCES),
      label: z.string(),
      backbone: z.string(),
      inputShape: Shape,
      kernels: z.array(z.number().int().positive()),
      dilations: z.array(z.number().int().positive()),
      searchableLayers: z.number().int().nonnegative(),
      supernet: StepNetwork,
      plain: StepNetwork.extend({ patterns: z.array(z.string()) }),
      ratio: Measured,
    }),
  ),
});

/** Core -> worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('probe') }),
  z.object({ type: z.literal('run'), job: RunJob }),
  /** Stop at the next step boundary: 'pause' keeps the run resumable, 'cancel' ends it. */
  z.object({ type: z.literal('stop'), mode: z.enum(['cancel', 'pause']) }),
  z.object({ type: z.literal('shutdown') }),
  /**
   * Set up `backend` (absent: the best this worker can start) with `threads` where it takes a count, then run the
   * benchmarks of `spec` on it: 'backend', any number of 'bench-progress' and 'bench-layer', then 'bench-result'
   * (or 'bench-error' at any point). A backend is process-wide in TF.js, so a worker runs one bench, then is shut down.
   */
  z.object({ type: z.literal('bench'), backend: z.enum(BACKEND_NAMES).optional(), threads: Count.optional(), spec: BenchSpecSchema }),
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
  /** A bench's progress, for people (one line). */
  z.object({ type: z.literal('bench-progress'), message: z.string() }),
  /** One mixture layer as soon as it is measured, so that a bench stopped early keeps what it measured. */
  z.object({ type: z.literal('bench-layer'), layer: MixtureLayerResultSchema }),
  /** The bench's end: each benchmark asked for, null for one that was not. */
  z.object({ type: z.literal('bench-result'), mixture: MixtureBenchResultSchema.nullable(), step: StepBenchResultSchema.nullable() }),
  /** The bench's end when it failed: stage 'backend' (the backend did not start) or 'bench' (it failed after). */
  z.object({ type: z.literal('bench-error'), stage: z.enum(['backend', 'bench']), error: SerializedError, stack: z.string().optional() }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
