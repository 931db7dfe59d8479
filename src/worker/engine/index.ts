/**
 * The engine's public entry: what the worker adapter (and benches) import. The engine's vocabulary (methods,
 * presets, configuration, specs, events, checkpoints and their codec) is src/shared/engine's, imported from there.
 * Backend initialisation lives in runtime/backend.ts (and src/worker/node-runtime.ts for Node).
 */
export { runMethod, runDash } from './search/run-method.ts';
export type { RunHooks } from './search/run-context.ts';
export type { RunResult } from './search/retrain.ts';
export { retrainSpec } from './search/architecture.ts';
export { RunCancelledError } from './train/loop.ts';
export type { BatchReader, RunDataset, InMemorySplit, SampleBatch, SplitSource } from './data/dataset.ts';
export { architectureCost, supernetForwardFlops } from './arch/cost.ts';
export type { ArchitectureCost } from './arch/cost.ts';
export { buildNetwork, buildSupernet } from './backbones/build.ts';
export type { Network } from './backbones/network.ts';
export { BACKEND_PREFERENCE, backendReport, cpuLoader, initBackend, measureProbeStep, messageOf, probeBackends, smokeComputation } from './runtime/backend.ts';
export type { BackendLoader, BackendName, BackendProbeEntry, BackendProbeResult, BackendReport, InitBackendOptions, LoadedBackend } from './runtime/backend.ts';
export type { SplitReader } from './data/dataset.ts';
export { runMixtureBench, runStepBench } from './bench/index.ts';
export type { BenchProgress, MixtureBenchResult, MixtureBenchSpec, StepBenchResult, StepBenchSpec } from './bench/index.ts';
