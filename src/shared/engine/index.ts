/**
 * The engine's vocabulary: what a run is (methods, presets, configuration and its validation, search spaces,
 * P-DASH's round arithmetic, architecture specs, metrics, tasks, seeded random), what it reports (events) and
 * where it stands (pipeline states and the checkpoint codec).
 * Plain TypeScript with no TF.js, so the renderer, the lab core, the worker and the exports all import it from
 * here; the numerics (src/worker/engine) build on it. Import this file, never a module inside the folder.
 */
export * from './backbone-plan.ts';
export * from './backends.ts';
export * from './bench.ts';
export * from './canonical-json.ts';
export * from './checkpoint.ts';
export * from './config.ts';
export * from './decision.ts';
export * from './events.ts';
export * from './metrics.ts';
export * from './outcome.ts';
export * from './pipeline-state.ts';
export * from './presets.ts';
export * from './random.ts';
export * from './rounds.ts';
export * from './search-space.ts';
export * from './sha256.ts';
export * from './spec.ts';
export * from './task.ts';
