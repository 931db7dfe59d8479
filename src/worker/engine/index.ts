/**
 * The engine's public entry: what the worker adapter (and tests, benches, the CLI) import.
 * Backend initialisation lives in runtime/backend.ts (and src/worker/node-runtime.ts for Node).
 */
export { runMethod, runDash } from './search/run-method.ts';
export type { DashHooks, DashResult } from './search/run-method.ts';
export { retrainSpec } from './search/architecture.ts';
export { RunCancelledError } from './train/loop.ts';
export { PRESETS, resolveConfig } from './presets.ts';
export type {
  DashConfig,
  DashConfigOverrides,
  HpChoice,
  HpGrid,
  PdashConfig,
  PerturbationConfig,
  PresetName,
  RandomSearchConfig,
  SearchMethod,
  SelectionMethod,
} from './search/config.ts';
export { hpConfigurations, SEARCH_METHODS, SELECTION_METHODS } from './search/config.ts';
export { roundSizes } from './search/prune.ts';
export type { EngineEvent, EngineEventType, PhaseName, TrainingPhase } from './events.ts';
export type * from './events.ts';
export { decodeCheckpoint, encodeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './search/checkpoint.ts';
export type { DashCheckpoint, PipelineState, CheckpointTensor } from './search/checkpoint.ts';
export type { BatchReader, DashDataset, InMemorySplit, SampleBatch, SplitSource, TargetNormalization, TaskKind, TaskSpec } from './data/dataset.ts';
export { validateTask } from './data/dataset.ts';
export type { ArchitectureSpec, BackboneName, LayerChoice } from './arch/spec.ts';
export { archId, parseArchitectureSpec, validateArchitectureSpec } from './arch/spec.ts';
export { architectureCost, supernetForwardFlops } from './arch/cost.ts';
export type { ArchitectureCost } from './arch/cost.ts';
export type { KernelPattern, LayerSearchSpaces, SearchSpaceGrid } from './arch/search-space.ts';
export { defaultSearchSpace, gridPatterns } from './arch/search-space.ts';
export type { MetricDirection, MetricName, MetricValue } from './metrics/task-metric.ts';
export { METRIC_INFO } from './metrics/task-metric.ts';
export { buildNetwork, buildSupernet } from './backbones/build.ts';
export type { Network } from './backbones/network.ts';
