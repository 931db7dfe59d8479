/**
 * The benchmarks' vocabulary: what `pdash bench` asks a worker to measure (BenchSpec) and what comes back
 * (MixtureBenchResult, StepBenchResult). The engine's benchmarks (src/worker/engine/bench) compute these, the worker
 * protocol (src/worker/protocol.ts) carries them from a Node worker or a Chromium page, and the CLI
 * (src/cli/commands/bench.ts) prints them: one definition for all three, plain JSON.
 */
import { MIXTURE_METHODS, type MixtureMethod } from './config.ts';

/** The reference networks whose layers and steps are measured (src/worker/engine/bench/reference.ts builds them). */
export const REFERENCE_NAMES = ['ninapro', 'darcy', 'ecg', 'ecg-large'] as const;
export type ReferenceName = (typeof REFERENCE_NAMES)[number];

/** The references the search-step benchmark runs. */
export const STEP_REFERENCES = ['ninapro', 'ecg'] as const satisfies readonly ReferenceName[];
export type StepReference = (typeof STEP_REFERENCES)[number];

/** What the mixture benchmark times: the naive path and each exact method. */
export type MixtureCandidate = 'naive' | MixtureMethod;
export const MIXTURE_CANDIDATES: readonly MixtureCandidate[] = ['naive', ...MIXTURE_METHODS];

export interface MixtureBenchSpec {
  /** Comma-separated terms: reference names or parts of layer names (the engine's selectLayers); absent: all. */
  filter?: string;
  /** Batch size for every layer; absent: each layer's default. */
  batch?: number;
  /** Timed calls per alternative after its checking call (default 5). */
  repeats?: number;
  /**
   * An alternative whose checking call took longer is not repeated; one estimated (by the cost model, or from a
   * method measured on the same layer) above 4 x this is skipped (default 15000 ms).
   */
  maxCallMs?: number;
}

export interface StepBenchSpec {
  /** Default: both. */
  references?: readonly StepReference[];
  /** Search batch (default 32). */
  batch?: number;
  /** Timed steps of each network after its warm-up step (default 5). */
  repeats?: number;
}

/** One bench request: the benchmarks to run, null for one not asked for. */
export interface BenchSpec {
  mixture: MixtureBenchSpec | null;
  step: StepBenchSpec | null;
}

/** Largest |method - naive| / largest |naive| of the output and of each gradient. */
export interface MixtureDifferences {
  output: number;
  dx: number;
  weights: number;
  alpha: number;
  bias: number | null;
}

export interface MixtureTiming {
  method: MixtureCandidate;
  /** Median wall ms of forward + backward; null when skipped. */
  ms: number | null;
  /** Calls timed (0: skipped; 1 with a note: too slow to repeat). */
  samples: number;
  /** naiveFlops / time. */
  gflops: number | null;
  /** Largest of `differences` (null for naive itself, or when either side was skipped); NaN when a side was NaN. */
  maxRelDiff: number | null;
  differences: MixtureDifferences | null;
  /** Why it was skipped or not repeated; null otherwise. */
  note: string | null;
}

export interface MixtureLayerResult {
  name: string;
  reference: ReferenceName | 'custom';
  rank: 1 | 2;
  /** With the batch: [N, L, C] or [N, H, W, C]. */
  inputShape: number[];
  outputShape: number[];
  inChannels: number;
  outChannels: number;
  stride: number;
  depthwise: boolean;
  kernels: number[];
  dilations: number[];
  patterns: number;
  /** Searchable convs of the reference network that are this layer. */
  slots: number;
  /** Training FLOPs of the naive path (src/worker/engine/bench/naive-mixture.ts states the formula). */
  naiveFlops: number;
  methods: MixtureTiming[];
  /** The cost model's choice (chooseMixtureMethod) for this layer on this backend. */
  pick: MixtureMethod;
  /** The fastest alternative measured, naive included. */
  best: MixtureCandidate | null;
  /** naive ms / pick ms; null when either was skipped. */
  ratio: number | null;
  /** The cost model's estimates in ms, where it has constants for this backend; null otherwise. */
  estimatesMs: Partial<Record<MixtureMethod, number>> | null;
}

export interface MixtureBenchResult {
  /** tfjs's name of the active backend. */
  tfjsBackend: string;
  repeats: number;
  maxCallMs: number;
  layers: MixtureLayerResult[];
}

export interface StepNetworkResult {
  /** Median wall ms of one training step. */
  ms: number;
  samples: number;
  /** Trainable parameters (weights, plus alphas for the supernet). */
  parameters: number;
  /** Training FLOPs of the step: 3 x the forward FLOPs per sample x batch (the supernet's count every pattern). */
  flops: number;
  gflops: number;
}

export interface StepBenchEntry {
  reference: StepReference;
  label: string;
  backbone: string;
  /** With the batch. */
  inputShape: number[];
  kernels: number[];
  dilations: number[];
  searchableLayers: number;
  supernet: StepNetworkResult;
  plain: StepNetworkResult & { patterns: string[] };
  /** supernet ms / plain ms. */
  ratio: number;
}

export interface StepBenchResult {
  tfjsBackend: string;
  batch: number;
  repeats: number;
  references: StepBenchEntry[];
}
