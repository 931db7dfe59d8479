import { z } from 'zod';

export const TaskKind = z.enum(['classification', 'regression', 'dense']);
export type TaskKind = z.infer<typeof TaskKind>;

export const MetricSpec = z.object({
  name: z.enum(['error', 'relative-l2', '1-macro-f1', 'mse']),
  direction: z.enum(['minimize', 'maximize']),
});
export type MetricSpec = z.infer<typeof MetricSpec>;

export const SplitName = z.enum(['train', 'val', 'test']);
export type SplitName = z.infer<typeof SplitName>;

/** Which published task a dataset stands for, so that its runs can be placed beside the published numbers. */
export const PublishedTask = z.enum(['ninapro', 'darcy', 'ecg']);

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
  source: z.object({ type: z.enum(['generated', 'files', 'nb360']), detail: z.string() }),
  bytes: z.number().int().nonnegative(),
  createdAt: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

export const DatasetRef = z.union([z.number().int().positive(), z.string().min(1)]);

const Page = {
  offset: z.number().int().nonnegative().default(0),
  limit: z.number().int().positive().max(500).default(100),
};

export const datasetChannels = {
  'datasets/list': {
    summary: 'The datasets in the lab, newest first, a page at a time.',
    request: z.object(Page).strict(),
    response: z.object({ items: z.array(DatasetSummary), total: z.number().int() }),
  },
} as const;

export const datasetEvents = {} as const;
