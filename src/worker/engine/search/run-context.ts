/**
 * What every phase of a run shares: the resolved per-task settings, the split readers, the seeded streams, event
 * emission and checkpoint writing. Built once per run (fresh or resumed) by `createRunContext`.
 */
import { backboneRank, canonicalJson, defaultSearchSpace, SeededRandom, sha256HexOfString, targetChannels, taskRank, validateConfig, validateTask, withoutNeutralLaterSettings, type BackboneName, type BackboneShape, type RunConfig, type EngineEvent, type MetricName, type SearchSpaceGrid, type TaskSpec, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointTensor, type RunCheckpoint, type PipelineState } from '../../../shared/engine/index.ts';
import type { Method, TrainingPhase } from '../../../shared/contract/index.ts';
import { holdout, seededSubset } from '../data/batches.ts';
import { splitReader, subsetReader, type RunDataset, type SplitReader } from '../data/dataset.ts';
import { taskLoss, type TaskLoss } from '../train/losses.ts';
import { throwIfAborted } from '../train/loop.ts';
import { referenceMilestones } from '../train/schedule.ts';

export interface RunHooks {
  /** Receives every event, synchronously, in order. */
  onEvent(event: EngineEvent): void;
  /** Persists a checkpoint (the worker writes it to disk); awaited before the run continues. */
  saveCheckpoint(checkpoint: RunCheckpoint): void | Promise<void>;
  /** The checkpoint to resume from, if any. */
  loadCheckpoint?(): RunCheckpoint | null | undefined | Promise<RunCheckpoint | null | undefined>;
  /** Cancels the run at the next step boundary (the run rejects with RunCancelledError). */
  signal?: AbortSignal;
}

/** Settings that depend on the task, resolved from the config's nulls. */
export interface ResolvedSettings {
  backbone: BackboneName;
  rank: 1 | 2;
  densePrediction: boolean;
  /** Classes or output channels. */
  outputs: number;
  baseChannels: number;
  grid: SearchSpaceGrid;
  searchBatchSize: number;
  hpBatchSize: number;
  retrainBatchSize: number;
  lrWeights: number;
  lrAlpha: number;
  /** The field-size penalty the search adds to alpha's normalised gradient. */
  fieldPenalty: number;
  searchMilestones: number[];
  hpMilestones: number[];
  retrainMilestones: number[];
}

export interface RunContext {
  readonly algorithm: Method;
  readonly seed: number;
  readonly config: RunConfig;
  readonly task: TaskSpec;
  readonly dataset: RunDataset;
  readonly settings: ResolvedSettings;
  readonly configHash: string;
  readonly train: SplitReader;
  readonly validation: SplitReader;
  readonly test: SplitReader;
  readonly loss: TaskLoss;
  readonly metric: MetricName;
  readonly hooks: RunHooks;
  /** An independent seeded stream for a purpose, e.g. `search/r1/epoch3`: the same label gives the same numbers. */
  stream(label: string): SeededRandom;
  emit(event: EngineEvent): void;
  /** The backbone shape at a width factor. */
  shape(widthFactor: number): BackboneShape;
  /** Writes a checkpoint through the hooks and announces it. */
  checkpoint(state: PipelineState, tensors: CheckpointTensor[], where: { phase: TrainingPhase | 'select'; round: number | null; trial: number | null; epoch: number }): Promise<void>;
  throwIfAborted(): void;
  /** Milliseconds since the context was created. */
  elapsedMs(): number;
}

export function defaultBackbone(task: TaskSpec): BackboneName {
  if (taskRank(task) === 1) {
    if (task.kind !== 'classification') throw new Error('engine: 1-D tasks must be classification (dense prediction is 2-D only)');
    return 'resnet1d';
  }
  return task.kind === 'dense-regression' ? 'wrn-dense' : 'wrn';
}

/** DASH's field-size penalty coefficient, at DASH's batch size for the task. */
export const DASH_FIELD_PENALTY = 1e-5;

/** DASH's batch sizes: 1024 for sequences (ECG), 10 for dense prediction (Darcy), 128 for 2-D classification (NinaPro). */
export function referenceBatchSize(task: TaskSpec): number {
  if (taskRank(task) === 1) return 1024;
  return task.kind === 'dense-regression' ? 10 : 128;
}

export function resolveSettings(config: RunConfig, task: TaskSpec): ResolvedSettings {
  const backbone = config.backbone ?? defaultBackbone(task);
  const rank = taskRank(task);
  if (backboneRank(backbone) !== rank) throw new Error(`engine: backbone ${backbone} is ${backboneRank(backbone)}-D but the task's inputs are ${rank}-D`);
  const densePrediction = task.kind === 'dense-regression';
  if (densePrediction !== (backbone === 'wrn-dense')) throw new Error(`engine: backbone ${backbone} does not fit a ${task.kind} task`);
  const outputs = densePrediction ? targetChannels(task) : task.numClasses!;
  const reference = referenceBatchSize(task);
  const milestones = referenceMilestones(rank);
  return {
    backbone,
    rank,
    densePrediction,
    outputs,
    baseChannels: config.baseChannels ?? Math.min(4 ** (Math.floor(outputs / 10) + 1), 64),
    grid: config.search.grid ?? defaultSearchSpace(rank),
    searchBatchSize: config.search.batchSize ?? reference,
    hpBatchSize: config.hpSearch.batchSize ?? reference,
    retrainBatchSize: config.retrain.batchSize ?? reference,
    lrWeights: config.search.lrWeights ?? (densePrediction ? 0.01 : 0.1),
    lrAlpha: config.search.lrAlpha ?? (densePrediction ? 0.005 : 0.05),
    fieldPenalty: config.search.fieldPenalty ?? DASH_FIELD_PENALTY * Math.sqrt((config.search.batchSize ?? reference) / reference),
    searchMilestones: config.search.milestones ?? milestones,
    hpMilestones: config.hpSearch.milestones ?? milestones,
    retrainMilestones: config.retrain.milestones ?? milestones,
  };
}

/** Train/validation/test readers after sample limits and, without a validation split, a seeded holdout. */
function buildReaders(config: RunConfig, dataset: RunDataset, stream: (label: string) => SeededRandom): { train: SplitReader; validation: SplitReader; test: SplitReader } {
  const task = dataset.task;
  const limit = (reader: SplitReader, count: number | null, label: string): SplitReader =>
    count === null || count >= reader.size ? reader : subsetReader(reader, seededSubset(reader.size, count, stream(`limits/${label}`)));
  let train = limit(splitReader(dataset.train, task, 'train'), config.limits.train, 'train');
  let validation: SplitReader;
  if (dataset.validation !== undefined) {
    validation = limit(splitReader(dataset.validation, task, 'validation'), config.limits.validation, 'validation');
  } else {
    const count = Math.max(1, Math.round(config.validationFraction * train.size));
    if (count >= train.size) throw new Error(`engine: ${train.size} training samples are too few to hold out a validation split`);
    const { kept, heldOut } = holdout(train.size, count, stream('holdout'));
    validation = limit(subsetReader(train, heldOut), config.limits.validation, 'validation');
    train = subsetReader(train, kept);
  }
  const test = limit(splitReader(dataset.test, task, 'test'), config.limits.test, 'test');
  for (const [name, r] of [['train', train], ['validation', validation], ['test', test]] as const) if (r.size < 1) throw new Error(`engine: the ${name} split is empty`);
  return { train, validation, test };
}

/**
 * Fingerprint of everything that must match for a checkpoint to resume a run: all settings that can change a
 * number. Labels (preset, custom) and how often checkpoints are written cannot, so a resumed run may differ there.
 */
export function runFingerprint(algorithm: Method, config: RunConfig, task: TaskSpec, seed: number, sizes: { train: number; validation: number; test: number }): string {
  const { checkpointEvery: _interval, preset: _preset, custom: _custom, ...numeric } = withoutNeutralLaterSettings(config);
  return sha256HexOfString(canonicalJson({ algorithm, config: numeric, task, seed, sizes }));
}

export function createRunContext(algorithm: Method, config: RunConfig, dataset: RunDataset, seed: number, hooks: RunHooks): RunContext {
  if (!Number.isInteger(seed)) throw new Error(`engine: seed must be an integer, got ${seed}`);
  validateConfig(config);
  validateTask(dataset.task);
  const settings = resolveSettings(config, dataset.task);
  const stream = (label: string): SeededRandom => new SeededRandom(seed).fork(label);
  const readers = buildReaders(config, dataset, stream);
  const configHash = runFingerprint(algorithm, config, dataset.task, seed, { train: readers.train.size, validation: readers.validation.size, test: readers.test.size });
  const started = performance.now();
  const context: RunContext = {
    algorithm,
    seed,
    config,
    task: dataset.task,
    dataset,
    settings,
    configHash,
    ...readers,
    loss: taskLoss(dataset.task.kind, dataset.targetNormalization),
    metric: dataset.task.metric,
    hooks,
    stream,
    emit: (event) => hooks.onEvent(event),
    shape: (widthFactor) => ({ backbone: settings.backbone, inChannels: dataset.task.inputShape.at(-1)!, outputs: settings.outputs, widthFactor, baseChannels: settings.baseChannels }),
    checkpoint: async (state, tensors, where) => {
      const checkpoint: RunCheckpoint = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, seed, configHash, state, tensors };
      await hooks.saveCheckpoint(checkpoint);
      const tensorBytes = tensors.reduce((sum, t) => sum + t.data.byteLength, 0);
      context.emit({ type: 'checkpoint', ...where, tensorBytes });
    },
    throwIfAborted: () => throwIfAborted(hooks.signal),
    elapsedMs: () => performance.now() - started,
  };
  return context;
}

/** True when a checkpoint is due after `epochsDone` epochs of a loop. */
export function checkpointDue(config: RunConfig, epochsDone: number): boolean {
  return config.checkpointEvery > 0 && epochsDone % config.checkpointEvery === 0;
}
