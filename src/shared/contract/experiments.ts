import { z } from 'zod';
import { DatasetRef, MetricSpec, PublishedTask } from './datasets.ts';
import { BACKEND_NAMES } from './lab.ts';

/**
 * How a run finds its architecture: DASH's single search, P-DASH's progressively pruned rounds, or one of the two
 * baselines that share the rest of the pipeline (HP search, retraining, test): the backbone's own 3x3 / kernel-3
 * layers, or the best of randomly drawn architectures trained under DASH's search budget. The lab's one list of
 * methods, in the order it shows them: the engine, the log, the CLI and the renderer all take it from here.
 */
export const Method = z.enum(['dash', 'pdash', 'backbone', 'random']);
export type Method = z.infer<typeof Method>;
/** A run's state in the log; the runs table's CHECK is derived from this list (log/migrations.ts). */
export const RunStatus = z.enum(['queued', 'running', 'paused', 'interrupted', 'cancelled', 'failed', 'done']);
export type RunStatus = z.infer<typeof RunStatus>;
export const Preset = z.enum(['smoke', 'quick', 'paper']);
export type Preset = z.infer<typeof Preset>;
/** How a pattern is chosen (and, in P-DASH, how patterns are ranked for pruning): docs/ALGORITHM.md sections 3 and 5. */
export const Selection = z.enum(['argmax', 'perturbation']);
export type Selection = z.infer<typeof Selection>;
/** The phases of a run, in order (docs/ALGORITHM.md section 3). */
export const Phase = z.enum(['search', 'select', 'hp-search', 'retrain', 'test']);
export type Phase = z.infer<typeof Phase>;
/** The phases that train epoch by epoch. */
export const TrainingPhase = z.enum(['search', 'hp-search', 'retrain']);
export type TrainingPhase = z.infer<typeof TrainingPhase>;

const Seed = z.number().int().min(0).max(2 ** 31 - 1);
const unique = <T>(values: T[]): boolean => new Set(values).size === values.length;

export const ExperimentRequest = z
  .object({
    name: z.string().min(1).max(200).optional(),
    dataset: DatasetRef,
    methods: z.array(Method).min(1).refine(unique, 'methods must not repeat'),
    seeds: z.array(Seed).min(1).max(100).refine(unique, 'seeds must not repeat'),
    preset: Preset.default('quick'),
    /** Kernel sizes and dilations of the search space (odd kernels; dilations >= 1). */
    kernels: z.array(z.number().int().min(1).max(63).refine((k) => k % 2 === 1, 'kernel sizes must be odd')).min(1).optional(),
    dilations: z.array(z.number().int().min(1).max(64)).min(1).optional(),
    selection: Selection.default('argmax'),
    /** P-DASH: candidates per layer per round, e.g. [16, 4, 1]; or rounds with a keep fraction; and epochs per round. */
    pdash: z
      .object({
        schedule: z.array(z.number().int().positive()).min(2).optional(),
        rounds: z.number().int().min(1).max(10).optional(),
        keepFraction: z.number().gt(0).lt(1).optional(),
        roundEpochs: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    /** Custom budgets: engine settings on top of the preset, e.g. { retrain: { epochs: 30 } }. */
    overrides: z.record(z.string(), z.unknown()).default({}),
    /** Runs at once in this lab process. */
    concurrency: z.number().int().min(1).max(16).optional(),
    /**
     * The compute backend its runs use: 'auto' (the default) is the fastest one the lab's probe found passing its
     * smoke computation; a named one that cannot start fails the run, saying why.
     */
    backend: z.enum(['auto', ...BACKEND_NAMES]).optional(),
  })
  .strict();
export type ExperimentRequest = z.input<typeof ExperimentRequest>;

export const LayerChoice = z.object({ layer: z.number().int(), kernel: z.number().int(), dilation: z.number().int() });

export const PhaseSeconds = z.record(z.string(), z.number());

export const RunSummary = z.object({
  id: z.number().int(),
  experimentId: z.number().int(),
  method: Method,
  seed: z.number().int(),
  status: RunStatus,
  phase: z.string().nullable(),
  progress: z.number(),
  backend: z.string().nullable(),
  threads: z.number().int().nullable(),
  /** Its workers' CPU time (user + system) and wall, summed over attempts; absent until a worker reported them. */
  cpu: z.object({ seconds: z.number(), wallSeconds: z.number() }).optional(),
  metric: z.object({ name: z.string(), direction: z.string(), value: z.number() }).nullable(),
  validation: z.number().nullable(),
  architecture: z.array(LayerChoice).nullable(),
  archId: z.string().nullable(),
  parameters: z.number().nullable(),
  flops: z.number().nullable(),
  /** Wall seconds per phase (accumulated over attempts), and their total. */
  seconds: PhaseSeconds,
  steps: PhaseSeconds,
  /** Estimated floating-point operations spent per phase, and their total (compute, for equal-cost comparisons). */
  flopsSpent: PhaseSeconds,
  checkpoint: z.object({ phase: z.string(), epoch: z.number().int() }).nullable(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
  attempts: z.number().int(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/**
 * A run's configuration as the lab stored it when its experiment was created: the engine vocabulary's RunConfig
 * (src/shared/engine/config.ts), resolved once from the preset, the overrides, the search space, the selection and
 * the P-DASH settings; its nulls mean the engine's reference value for the task. Read as it is, never resolved
 * again. null: a run of an older lab whose preset and overrides this lab cannot resolve.
 */
export const StoredRunConfig = z.record(z.string(), z.unknown()).nullable();

export const ExperimentSummary = z.object({
  id: z.number().int(),
  name: z.string(),
  dataset: z.object({ id: z.number().int(), name: z.string() }),
  methods: z.array(Method),
  seeds: z.array(z.number().int()),
  preset: z.string(),
  /** What the experiment was asked for: the request as given, with the defaults it was read with. */
  settings: z.record(z.string(), z.unknown()),
  /** The configuration its runs were created with (StoredRunConfig; every run of an experiment shares it). */
  config: StoredRunConfig,
  createdAt: z.string(),
  runs: z.array(RunSummary),
});
export type ExperimentSummary = z.infer<typeof ExperimentSummary>;

export const EpochPoint = z.object({
  phase: z.string(),
  round: z.number().int(),
  trial: z.number().int(),
  epoch: z.number().int(),
  steps: z.number().int(),
  lr: z.number(),
  /** null when the epoch diverged (a non-finite loss). */
  trainLoss: z.number().nullable(),
  validation: z.number().nullable(),
  wallMs: z.number(),
});

export const AlphaLayer = z.object({
  layer: z.number().int(),
  name: z.string(),
  patterns: z.array(z.object({ kernel: z.number().int(), dilation: z.number().int() })),
  alpha: z.array(z.number()),
  softmax: z.array(z.number()),
});

export const PatternScore = z.object({ kernel: z.number().int(), dilation: z.number().int(), score: z.number().nullable() });
export const RoundLayer = z.object({
  layer: z.number().int(),
  name: z.string(),
  ranking: z.array(PatternScore),
  kept: z.array(z.object({ kernel: z.number().int(), dilation: z.number().int() })),
  pruned: z.array(z.object({ kernel: z.number().int(), dilation: z.number().int() })),
});
/** A P-DASH round (round 0: DASH's single selection): per layer the ranking, what was kept and what was pruned. */
export const SearchRound = z.object({ round: z.number().int(), rounds: z.number().int(), selection: z.string(), layers: z.array(RoundLayer) });

export const RunDetail = RunSummary.extend({
  config: StoredRunConfig,
  rounds: z.array(SearchRound),
  randomCandidates: z.array(
    z.object({ candidate: z.number().int(), layers: z.array(z.object({ kernel: z.number().int(), dilation: z.number().int() })), validation: z.number().nullable(), diverged: z.boolean(), flops: z.number(), wallMs: z.number() }),
  ),
  epochs: z.array(EpochPoint),
  alpha: z.array(z.object({ round: z.number().int(), epoch: z.number().int(), layers: z.array(AlphaLayer) })),
  hpTrials: z.array(z.object({ trial: z.number().int(), hp: z.record(z.string(), z.number()), validation: z.number().nullable(), diverged: z.boolean(), wallMs: z.number() })),
  spec: z.record(z.string(), z.unknown()).nullable(),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const MethodStats = z.object({
  method: Method,
  n: z.number().int(),
  mean: z.number().nullable(),
  /** Sample standard deviation (n - 1); null when n < 2. */
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  values: z.array(
    z.object({
      runId: z.number().int(),
      seed: z.number().int(),
      value: z.number(),
      /**
       * Layers the search left undecided at the snapshot it selected from (the vocabulary's layerDecision: leader
       * less than one point ahead), of the run's searched layers; absent for the baselines, which search nothing.
       */
      undecided: z.object({ layers: z.number().int(), of: z.number().int() }).optional(),
      /** The compute backend the run ran on, and its threads, as its worker reported them (null: not recorded). */
      backend: z.string().nullable().optional(),
    }),
  ),
  /** Runs of this method that have not finished (not in the statistics). */
  pending: z.number().int(),
  seconds: PhaseSeconds,
  /** Mean FLOPs of one forward pass of the chosen architectures (per sample). */
  flops: z.number().nullable(),
  /** Mean estimated FLOPs spent per finished run, per phase and in total. */
  flopsSpent: PhaseSeconds,
  /**
   * The configuration this row's runs share (runs pool into one row only when their dataset, method and stored
   * RunConfig are identical, and no seed repeats): `label` says what sets it apart from the method's other rows
   * ('' when the method has one), `smoke` marks a row of the `smoke` preset, which is not a result.
   */
  configuration: z
    .object({
      key: z.string(),
      label: z.string(),
      preset: z.string().nullable(),
      smoke: z.boolean(),
      /** Every run of the row, finished or not (its learning curves are drawn together). */
      runIds: z.array(z.number().int()).optional(),
      /** This row's value of every setting that differs among the method's rows (the preset first); [] when the method has one. */
      differs: z.array(z.object({ setting: z.string(), value: z.string() })).optional(),
    })
    .optional(),
  /** Percentile bootstrap confidence interval of the mean (seeded); null when n < 2. */
  bootstrap: z.object({ low: z.number(), high: z.number(), level: z.number(), resamples: z.number().int() }).nullable().optional(),
});

/** Two rows of a comparison: their methods, and their indices in `methods` (a method may have several rows). */
const RowPair = { a: Method, b: Method, aRow: z.number().int().optional(), bRow: z.number().int().optional() };

export const Comparison = z.object({
  runIds: z.array(z.number().int()),
  metric: MetricSpec.nullable(),
  stdKind: z.literal('sample (n - 1)'),
  methods: z.array(MethodStats),
  welch: z.array(
    z.object({
      ...RowPair,
      t: z.number(),
      df: z.number(),
      p: z.number(),
      meanDifference: z.number(),
      /** Seeds per row that would resolve this difference (alpha 0.05 two-sided, power 0.8, pooled std); null: none to resolve. */
      seedsNeeded: z.number().int().nullable().optional(),
    }),
  ),
  /** Paired comparison on the seeds both rows ran: the paired t-test and the exact Wilcoxon signed-rank test. */
  paired: z
    .array(
      z.object({
        ...RowPair,
        seeds: z.array(z.number().int()),
        n: z.number().int(),
        meanDifference: z.number(),
        stdDifference: z.number(),
        t: z.number(),
        df: z.number(),
        p: z.number(),
        wilcoxon: z.object({ n: z.number().int(), wPlus: z.number(), wMinus: z.number(), p: z.number() }).nullable(),
        /** Matched seeds that would resolve this difference (alpha 0.05 two-sided, power 0.8, sd of the differences). */
        seedsNeeded: z.number().int().nullable(),
      }),
    )
    .optional(),
  /** For each method with several rows (configurations), one line of what differs, e.g. "preset quick vs smoke; retrain.epochs 8 vs 3". */
  differences: z.array(z.object({ method: Method, text: z.string() })).optional(),
  /**
   * Per searchable layer, the modal (k, d) of each comparison row over its finished runs and how many agree: `row`
   * is the row's index in `methods` (the same rows, keys and labels as the summary), so two configurations of one
   * method are never pooled.
   */
  layers: z.array(
    z.object({
      layer: z.number().int(),
      byRow: z.array(
        z.object({ row: z.number().int(), method: Method, kernel: z.number().int(), dilation: z.number().int(), count: z.number().int(), n: z.number().int(), agreement: z.number() }),
      ),
    }),
  ),
  published: z
    .object({
      task: PublishedTask,
      metric: z.object({ name: z.string(), direction: z.string(), definition: z.string(), unit: z.string() }),
      results: z.array(z.object({ method: z.string(), label: z.string(), mean: z.number(), std: z.number(), n: z.number().int() })),
    })
    .nullable(),
});
export type Comparison = z.infer<typeof Comparison>;

const Page = { offset: z.number().int().nonnegative().default(0), limit: z.number().int().positive().max(500).default(50) };

export const experimentChannels = {
  'experiments/create': {
    summary: 'Create an experiment (methods x seeds on one dataset) and queue its runs.',
    request: ExperimentRequest,
    response: ExperimentSummary,
  },
  'experiments/list': {
    summary: 'Experiments, newest first, a page at a time, each with its runs.',
    request: z.object(Page).strict(),
    response: z.object({ items: z.array(ExperimentSummary), total: z.number().int() }),
  },
  'experiments/show': {
    summary: 'One experiment and its runs.',
    request: z.object({ experiment: z.number().int().positive() }).strict(),
    response: ExperimentSummary,
  },
  'experiments/remove': {
    summary: 'Remove an experiment, its runs and their files (refused while a run of it is running).',
    request: z.object({ experiment: z.number().int().positive() }).strict(),
    response: ExperimentSummary,
  },
  'runs/show': {
    summary: 'One run with its epoch metrics, alpha snapshots and HP trials.',
    request: z.object({ run: z.number().int().positive() }).strict(),
    response: RunDetail,
  },
  'runs/cancel': {
    summary: 'Stop a run for good (a queued one does not start).',
    request: z.object({ run: z.number().int().positive() }).strict(),
    response: RunSummary,
  },
  'runs/pause': {
    summary: 'Stop a running run at its next step, keeping it resumable.',
    request: z.object({ run: z.number().int().positive() }).strict(),
    response: RunSummary,
  },
  'runs/resume': {
    summary: 'Queue a paused, interrupted, cancelled or failed run again; it continues from its last checkpoint.',
    request: z.object({ run: z.number().int().positive() }).strict(),
    response: RunSummary,
  },
  compare: {
    summary: 'Per method and configuration: n, mean, sample std, min, max, bootstrap interval, per-seed values; Welch, paired t and Wilcoxon tests with seeds needed; what differs between configurations; modal (k, d) per layer; cost; published numbers.',
    request: z.union([z.object({ experiment: z.number().int().positive() }).strict(), z.object({ runs: z.array(z.number().int().positive()).min(1) }).strict()]),
    response: Comparison,
  },
} as const;

export const experimentEvents = {
  'runs/status': z.object({ runId: z.number().int(), experimentId: z.number().int(), status: RunStatus, error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).nullable() }),
  'runs/progress': z.object({ runId: z.number().int(), phase: z.string().nullable(), progress: z.number(), epoch: EpochPoint.nullable() }),
  'runs/round': z.object({ runId: z.number().int() }).extend(SearchRound.shape),
  'runs/checkpoint': z.object({ runId: z.number().int(), phase: z.string(), round: z.number().int().nullable(), trial: z.number().int().nullable(), epoch: z.number().int(), bytes: z.number().int() }),
  'runs/alpha': z.object({ runId: z.number().int(), round: z.number().int(), epoch: z.number().int(), layers: z.array(AlphaLayer) }),
} as const;
