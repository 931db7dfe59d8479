import { z } from 'zod';

export const TaskKind = z.enum(['classification', 'regression', 'dense']);
export type TaskKind = z.infer<typeof TaskKind>;

export const MetricSpec = z.object({
  name: z.enum(['error', 'relative-l2', 'one-minus-macro-f1', 'mse']),
  direction: z.enum(['minimize', 'maximize']),
});
export type MetricSpec = z.infer<typeof MetricSpec>;

/**
 * The most classes a classification dataset may have. The lab allocates per class (class counts per split, the
 * classifier's output layer, reports), so an unbounded count read from a label or a request would let one number
 * exhaust memory. 100,000 covers the largest classification benchmarks in use (ImageNet-21k's 21,841 classes,
 * face identification sets of tens of thousands of identities) with room to spare, while per-class arrays stay
 * around a megabyte.
 */
export const MAX_CLASSES = 100_000;

/**
 * The most bytes one `datasets/upload` chunk may carry. The browser's uploader sends chunks of this size, and the
 * web server sizes its WebSocket frame limit from it: a frame beyond a chunk plus its envelope is refused before
 * it is buffered, so one client cannot make the server hold hundreds of megabytes.
 */
export const UPLOAD_CHUNK_MAX_BYTES = 4 * 1024 * 1024;

/** The length of a chunk of UPLOAD_CHUNK_MAX_BYTES in padded base64, as the request carries it. */
export const UPLOAD_CHUNK_MAX_BASE64 = 4 * Math.ceil(UPLOAD_CHUNK_MAX_BYTES / 3);

export const SplitName = z.enum(['train', 'val', 'test']);
export type SplitName = z.infer<typeof SplitName>;

/** Which published task a dataset stands for, so that its runs can be placed beside the published numbers. */
export const PublishedTask = z.enum(['ninapro', 'darcy', 'ecg']);

/** Where a dataset came from: generated built-in task, the user's files, or NAS-Bench-360's own files. */
export const DatasetSourceType = z.enum(['generated', 'files', 'nb360']);

export const DatasetSummary = z.object({
  id: z.number().int().positive(),
  name: z.string(),
  kind: TaskKind,
  /** 1: sequences, samples [length, channels]; 2: images, samples [height, width, channels]. */
  rank: z.union([z.literal(1), z.literal(2)]),
  xShape: z.array(z.number().int().nonnegative()),
  yShape: z.array(z.number().int().nonnegative()),
  classes: z.number().int().positive().nullable(),
  classNames: z.array(z.string()).nullable(),
  splits: z.object({ train: z.number().int(), val: z.number().int(), test: z.number().int() }),
  /** Present when the validation split was carved from train: the seed and fraction used. */
  valCarved: z.object({ seed: z.number().int(), fraction: z.number() }).nullable(),
  metric: MetricSpec,
  publishedTask: PublishedTask.nullable(),
  contentHash: z.string(),
  source: z.object({ type: DatasetSourceType, detail: z.string() }),
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const DatasetRef = z.union([z.number().int().positive(), z.string().min(1)]);

const Page = {
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(500).default(100),
};

/** A few samples for a preview plot: x flattened C-order with its per-sample shape, y as stored. */
export const DatasetSample = z.object({
  split: SplitName,
  index: z.number().int().nonnegative(),
  x: z.array(z.number()),
  y: z.array(z.number()),
});

export const DatasetDetail = DatasetSummary.extend({
  classCounts: z.object({ train: z.array(z.number()), val: z.array(z.number()), test: z.array(z.number()) }).nullable(),
  normalization: z.object({
    x: z.object({ mode: z.enum(['channel', 'pointwise']), mean: z.array(z.number()), std: z.array(z.number()) }),
    y: z.object({ mode: z.enum(['channel', 'pointwise']), mean: z.array(z.number()), std: z.array(z.number()) }).nullable(),
  }),
  folder: z.string(),
  samples: z.array(DatasetSample),
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

/** One array of an import: a .npy file, an array inside a .npz (`file.npz:name`), or the columns of a CSV. */
export const ArrayFileSpec = z.string().min(1);

export const ImportFilesRequest = z
  .object({
    name: z.string().min(1),
    kind: TaskKind,
    trainX: ArrayFileSpec,
    trainY: ArrayFileSpec,
    valX: ArrayFileSpec.optional(),
    valY: ArrayFileSpec.optional(),
    testX: ArrayFileSpec,
    testY: ArrayFileSpec,
    /** Classification: the number of classes; inferred from the train labels when absent. */
    classes: z.number().int().positive().max(MAX_CLASSES).optional(),
    /** When no validation split is given: the fraction of train carved into it, and the seed. */
    valFraction: z.number().gt(0).lt(1).default(0.1),
    seed: z.number().int().nonnegative().default(0),
  })
  .strict()
  .refine((r) => (r.valX === undefined) === (r.valY === undefined), { message: 'give both valX and valY, or neither', path: ['valX'] });

export const ImportProgressEvent = z.object({
  importId: z.string(),
  name: z.string(),
  split: SplitName,
  rowsDone: z.number().int().nonnegative(),
  rowsTotal: z.number().int().nonnegative(),
});

export const datasetChannels = {
  'datasets/list': {
    summary: 'The datasets in the lab, newest first, a page at a time.',
    request: z.object(Page).strict(),
    response: z.object({ items: z.array(DatasetSummary), total: z.number().int() }),
  },
  'datasets/show': {
    summary: 'One dataset: shapes, splits, class balance, normalisation statistics and a few samples to plot.',
    request: z.object({ dataset: DatasetRef, samplesPerSplit: z.number().int().min(0).max(16).default(3) }).strict(),
    response: DatasetDetail,
  },
  'datasets/import': {
    summary: 'Import x/y arrays per split from .npy, .npz or .csv files; validated whole, stored once, never half-registered.',
    request: ImportFilesRequest,
    response: DatasetSummary,
  },
  'datasets/generate': {
    summary: 'Generate a built-in task (ecg-synth, darcy-synth, ninapro-synth), deterministic for its seed, and store it.',
    request: z
      .object({
        task: z.enum(['ecg-synth', 'darcy-synth', 'ninapro-synth']),
        name: z.string().min(1).optional(),
        /** tiny: tests and smoke runs; small: quick runs on a laptop; full: benchmark-sized. */
        size: z.enum(['tiny', 'small', 'full']).default('small'),
        seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
      })
      .strict(),
    response: DatasetSummary,
  },
  'datasets/import-nb360': {
    summary: "Import NAS-Bench-360's real files: NinaPro's .npy set, DarcyFlow's .mat (v5 or v7.3), ECG's challenge2017.pkl.",
    request: z.object({ task: PublishedTask, dir: z.string().min(1), name: z.string().min(1).optional(), seed: z.number().int().min(0).default(0) }).strict(),
    response: DatasetSummary,
  },
  'datasets/upload': {
    summary: "Stage a file from the user's machine (web mode's upload) in the lab folder, chunk by chunk; returns its path on the lab machine for datasets/import.",
    request: z
      .object({
        /** Absent on the first chunk; then the id the first answer gave. */
        uploadId: z.string().regex(/^[0-9a-f-]{36}$/).optional(),
        fileName: z.string().min(1).max(200),
        /** Where this chunk starts: the bytes already staged (appends only). */
        offset: z.number().int().nonnegative(),
        /** The chunk, base64. */
        data: z.string().max(UPLOAD_CHUNK_MAX_BASE64),
      })
      .strict(),
    response: z.object({ uploadId: z.string(), path: z.string(), bytes: z.number().int().nonnegative() }),
  },
  'datasets/remove': {
    summary: 'Remove a dataset: its row and its files.',
    request: z.object({ dataset: DatasetRef }).strict(),
    response: DatasetSummary,
  },
} as const;

export const datasetEvents = {
  'datasets/import-progress': ImportProgressEvent,
} as const;
