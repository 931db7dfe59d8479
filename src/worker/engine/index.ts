/**
 * The engine's public entry: what the worker adapter (and benches) import. The engine's vocabulary (methods,
 * presets, configuration, specs, events) is src/shared/engine's, imported from there.
 * Backend initialisation lives in runtime/backend.ts (and src/worker/node-runtime.ts for Node).
 */
export { runMethod, runDash } from './search/run-method.ts';
export type { RunHooks } from './search/run-context.ts';
export type { RunResult } from './search/retrain.ts';
export { retrainSpec } from './search/architecture.ts';
export { RunCancelledError } from './train/loop.ts';
export { decodeCheckpoint, encodeCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './search/checkpoint.ts';
export type { RunCheckpoint, PipelineState, CheckpointTensor } from './search/checkpoint.ts';
export type { BatchReader, RunDataset, InMemorySplit, SampleBatch, SplitSource } from './data/dataset.ts';
export { architectureCost, supernetForwardFlops } from './arch/cost.ts';
export type { ArchitectureCost } from './arch/cost.ts';
export { buildNetwork, buildSupernet } from './backbones/build.ts';
export type { Network } from './backbones/network.ts';
