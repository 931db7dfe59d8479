/**
 * The engine's benchmarks, host-agnostic (TF.js only: a Node worker and a browser page run the same code on
 * whatever backend their host set up). Each returns plain JSON and reports progress through a callback:
 *
 * - `runMixtureBench(spec, onProgress)`: one mixture layer's forward + backward per evaluation method against the
 *   naive one-conv-per-pattern path, checked against it, for the reference layers (mixture-bench.ts).
 * - `runStepBench(spec, onProgress)`: a DASH search step of the supernet against a training step of the plain
 *   network (step-bench.ts).
 *
 * Their requests and results are the vocabulary's (src/shared/engine/bench.ts), which the worker protocol carries
 * and the CLI prints; they are re-exported here for the engine's users. The host initialises the backend first
 * (initBackend with its loaders) and owns printing and processes.
 */
export { runMixtureBench } from './mixture-bench.ts';
export type { BenchProgress, MixtureBenchInput } from './mixture-bench.ts';
export { runStepBench } from './step-bench.ts';
export { MIXTURE_CANDIDATES, REFERENCE_NAMES, STEP_REFERENCES } from '../../../shared/engine/index.ts';
export type {
  MixtureBenchResult,
  MixtureBenchSpec,
  MixtureCandidate,
  MixtureDifferences,
  MixtureLayerResult,
  MixtureTiming,
  ReferenceName,
  StepBenchEntry,
  StepBenchResult,
  StepBenchSpec,
  StepNetworkResult,
  StepReference,
} from '../../../shared/engine/index.ts';
export { allReferenceLayers, LARGEST_1D_SPACE, referenceLayers, referenceTask, selectLayers } from './reference.ts';
export type { MixtureLayerCase, ReferenceTask } from './reference.ts';
export { naiveMixture, naiveMixtureFlops } from './naive-mixture.ts';
