/**
 * The engine's benchmarks, host-agnostic (TF.js only: a Node worker and a browser page run the same code on
 * whatever backend their host set up). Each returns plain JSON and reports progress through a callback:
 *
 * - `runMixtureBench(spec, onProgress)`: one mixture layer's forward + backward per evaluation method against the
 *   naive one-conv-per-pattern path, checked against it, for the reference layers (mixture-bench.ts).
 * - `runStepBench(spec, onProgress)`: a DASH search step of the supernet against a training step of the plain
 *   network (step-bench.ts).
 *
 * The host initialises the backend first (initBackend with its loaders) and owns printing and processes.
 */
export { runMixtureBench, MIXTURE_CANDIDATES } from './mixture-bench.ts';
export type { BenchProgress, MixtureBenchResult, MixtureBenchSpec, MixtureCandidate, MixtureDifferences, MixtureLayerResult, MixtureTiming } from './mixture-bench.ts';
export { runStepBench, STEP_REFERENCES } from './step-bench.ts';
export type { StepBenchEntry, StepBenchResult, StepBenchSpec, StepNetworkResult, StepReference } from './step-bench.ts';
export { allReferenceLayers, LARGEST_1D_SPACE, REFERENCE_NAMES, referenceLayers, referenceTask, selectLayers } from './reference.ts';
export type { MixtureLayerCase, ReferenceName, ReferenceTask } from './reference.ts';
export { naiveMixture, naiveMixtureFlops } from './naive-mixture.ts';
