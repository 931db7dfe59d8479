import { datasetChannels, MAX_CLASSES, PublishedTask, type DatasetDetail, type DatasetSummary } from '../../shared/contract/index.ts';
import { formatBytes } from '../../shared/format.ts';
import type { LabCore } from '../../main/core/index.ts';
import { commonHelp, commonOptions, integerOption, oneOf, requireOptions, stringOption, type CliIo, type Command, type CommandGroup } from '../command.ts';
import { withLab } from '../lab.ts';
import { progressBar } from '../progress.ts';

const jsonOption = { json: { type: 'boolean' } } as const;
const generateShape = datasetChannels['datasets/generate'].request.shape;
const jsonHelp = '  --json           print JSON instead of text';

function datasetRef(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : text;
}

export function formatDatasetTable(items: DatasetSummary[]): string {
  if (items.length === 0) return 'No datasets yet. Generate one with `pdash dataset generate ecg-synth`, or import files with `pdash dataset import`.\n';
  const rows = [['id', 'name', 'kind', 'x per sample', 'classes', 'train/val/test', 'metric', 'size', 'created']];
  for (const d of items) {
    rows.push([
      String(d.id),
      d.name,
      d.kind,
      `(${d.xShape.join(', ')})`,
      d.classes === null ? '-' : String(d.classes),
      `${d.splits.train}/${d.splits.val}/${d.splits.test}`,
      d.metric.name,
      formatBytes(d.bytes),
      d.createdAt.slice(0, 16).replace('T', ' '),
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatDatasetDetail(d: DatasetDetail): string {
  const lines = [
    `dataset ${d.id}: ${d.name}`,
    `  kind            ${d.kind} (${d.rank}-D), metric ${d.metric.name} (${d.metric.direction})`,
    `  x per sample    (${d.xShape.join(', ')}) float32`,
    `  y per sample    ${d.kind === 'classification' ? `class label 0..${(d.classes ?? 1) - 1}` : `(${d.yShape.join(', ')}) float32`}`,
    `  splits          train ${d.splits.train}, val ${d.splits.val}${d.valCarved ? ` (carved from train: ${Math.round(d.valCarved.fraction * 100)}%, seed ${d.valCarved.seed})` : ''}, test ${d.splits.test}`,
    `  source          ${d.source.type}: ${d.source.detail}`,
    `  content hash    ${d.contentHash}`,
    `  stored          ${formatBytes(d.bytes)} in ${d.folder}`,
    `  created         ${d.createdAt}`,
  ];
  if (d.classCounts) {
    const names = d.classNames ?? d.classCounts.train.map((_, i) => String(i));
    lines.push('  class balance   ' + names.map((n, i) => `${n}: ${d.classCounts!.train[i]}/${d.classCounts!.val[i]}/${d.classCounts!.test[i]}`).join(', ') + '  (train/val/test)');
  }
  return lines.join('\n') + '\n';
}

const listCommand: Command = {
  name: 'list',
  summary: 'list the datasets in the lab',
  help: `Usage: pdash dataset list [--json] [--offset N] [--limit N]

${jsonHelp}
  --offset N, --limit N   page through a long list (default: the newest 100)
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, offset: { type: 'string' }, limit: { type: 'string' } },
  run: (values, _p, io) =>
    withLab(values, io, async (core) => {
      const page = await core.invoke('datasets/list', { offset: integerOption(values, 'offset', 0, 1e9) ?? 0, limit: integerOption(values, 'limit', 1, 500) ?? 100 });
      io.stdout(values.json === true ? JSON.stringify(page, null, 2) + '\n' : formatDatasetTable(page.items) + (page.total > page.items.length ? `(${page.items.length} of ${page.total}; use --offset/--limit)\n` : ''));
      return 0;
    }),
};

const showCommand: Command = {
  name: 'show',
  summary: 'show one dataset: shapes, splits, class balance, statistics',
  help: `Usage: pdash dataset show <id|name> [--json] [--samples N]

${jsonHelp} (with N samples per split for plotting; default 3)
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, samples: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'a dataset id or name' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const detail = await core.invoke('datasets/show', { dataset: datasetRef(positionals[0]!), samplesPerSplit: integerOption(values, 'samples', 0, 16) ?? (values.json === true ? 3 : 0) });
      io.stdout(values.json === true ? JSON.stringify(detail, null, 2) + '\n' : formatDatasetDetail(detail));
      return 0;
    }),
};

const removeCommand: Command = {
  name: 'remove',
  summary: 'remove a dataset and its files',
  help: `Usage: pdash dataset remove <id|name> [--json]

Deletes the dataset's row and its stored files. There is no undo.
${jsonHelp}
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption },
  positionals: { min: 1, max: 1, names: 'a dataset id or name' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const removed = await core.invoke('datasets/remove', { dataset: datasetRef(positionals[0]!) });
      io.stdout(values.json === true ? JSON.stringify(removed, null, 2) + '\n' : `Removed dataset ${removed.id} (${removed.name}).\n`);
      return 0;
    }),
};

const importCommand: Command = {
  name: 'import',
  summary: 'import x/y arrays per split from .npy, .npz or .csv files',
  help: `Usage: pdash dataset import --name N --kind <classification|regression|dense>
         --train-x F --train-y F [--val-x F --val-y F] --test-x F --test-y F
         [--classes C] [--val-fraction 0.1] [--seed K] [--json]

Each F is a .npy file, a .npz file holding one array (or file.npz:NAME), or a .csv file (x: every column but
the last, as a sequence with one channel; y: the last column). x is (N, length, channels) for 1-D tasks or
(N, height, width, channels) for 2-D tasks; classification labels are integers 0..C-1, with C at most ${MAX_CLASSES}.
Everything is checked (shapes, NaN/Inf, label range, split lengths) before anything is stored; a failed import
stores nothing.
Without a validation split, --val-fraction of train is carved off with --seed and recorded.

${jsonHelp}
${commonHelp}`,
  options: {
    ...commonOptions,
    ...jsonOption,
    name: { type: 'string' },
    kind: { type: 'string' },
    'train-x': { type: 'string' },
    'train-y': { type: 'string' },
    'val-x': { type: 'string' },
    'val-y': { type: 'string' },
    'test-x': { type: 'string' },
    'test-y': { type: 'string' },
    classes: { type: 'string' },
    'val-fraction': { type: 'string' },
    seed: { type: 'string' },
  },
  run: (values, _p, io) => {
    requireOptions(values, ['name', 'kind', 'train-x', 'train-y', 'test-x', 'test-y']);
    return withLab(values, io, async (core) => {
      const name = stringOption(values, 'name') ?? '';
      const fraction = stringOption(values, 'val-fraction');
      const summary = await withImportBar(core, io, `importing ${name}`, () =>
        core.invoke('datasets/import', {
          name,
          kind: (stringOption(values, 'kind') ?? '') as 'classification',
          trainX: stringOption(values, 'train-x') ?? '',
          trainY: stringOption(values, 'train-y') ?? '',
          valX: stringOption(values, 'val-x'),
          valY: stringOption(values, 'val-y'),
          testX: stringOption(values, 'test-x') ?? '',
          testY: stringOption(values, 'test-y') ?? '',
          classes: integerOption(values, 'classes', 1, MAX_CLASSES),
          valFraction: fraction === undefined ? undefined : Number(fraction),
          seed: integerOption(values, 'seed', 0, 2 ** 31 - 1),
        }),
      );
      printSummary(io, values.json === true, 'Imported', summary);
      return 0;
    });
  },
};

/** Shows a progress bar for the lab's import events while `work` runs. */
async function withImportBar<T>(core: LabCore, io: CliIo, title: string, work: () => Promise<T>): Promise<T> {
  const bar = progressBar(io, title);
  const stop = core.events.subscribe((event, payload) => {
    if (event === 'datasets/import-progress') {
      const p = payload as { split: string; rowsDone: number; rowsTotal: number };
      bar.update(p.rowsDone, p.rowsTotal, p.split);
    }
  });
  try {
    return await work();
  } finally {
    bar.done();
    stop();
  }
}

function printSummary(io: CliIo, json: boolean, verb: string, summary: DatasetSummary): void {
  io.stdout(json ? JSON.stringify(summary, null, 2) + '\n' : `${verb} dataset ${summary.id} (${summary.name}): ${summary.kind}, x (${summary.xShape.join(', ')}), train ${summary.splits.train}, val ${summary.splits.val}, test ${summary.splits.test}.\n`);
}

const generateCommand: Command = {
  name: 'generate',
  summary: 'generate a built-in task: ecg-synth, darcy-synth or ninapro-synth',
  help: `Usage: pdash dataset generate <ecg-synth|darcy-synth|ninapro-synth> [--name N] [--size tiny|small|full] [--seed K] [--json]

Built-in stand-ins for the NAS-Bench-360 tasks of the P-DASH study, deterministic for their seed:
  ecg-synth      1-D, length 1000, 4 rhythm classes told apart by intervals between beats; 1 - macro F1
  darcy-synth    2-D, Darcy flow -div(a grad u) = 1 solved by conjugate gradients, inputs [a, x, y]; relative L2
  ninapro-synth  2-D, 16 electrodes x 52 steps, 18 gesture classes; error %

  --size S         tiny (tests, smoke runs), small (default; quick runs), full (benchmark-sized)
  --seed K         generator seed (default 0)
  --name N         dataset name (default TASK-SIZE-seedK)
${jsonHelp}
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, name: { type: 'string' }, size: { type: 'string' }, seed: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'a task name (ecg-synth, darcy-synth, ninapro-synth)' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const task = positionals[0]!;
      const summary = await withImportBar(core, io, `generating ${task}`, () =>
        core.invoke('datasets/generate', {
          task: oneOf(task, generateShape.task.options, 'the task'),
          ...(stringOption(values, 'name') ? { name: stringOption(values, 'name')! } : {}),
          ...(stringOption(values, 'size') ? { size: oneOf(stringOption(values, 'size')!, generateShape.size.unwrap().options, '--size') } : {}),
          ...(stringOption(values, 'seed') ? { seed: integerOption(values, 'seed', 0, 2 ** 31 - 1)! } : {}),
        }),
      );
      printSummary(io, values.json === true, 'Generated', summary);
      return 0;
    }),
};

const importNb360Command: Command = {
  name: 'import-nb360',
  summary: "import NAS-Bench-360's NinaPro, DarcyFlow or ECG files",
  help: `Usage: pdash dataset import-nb360 <ninapro|darcy|ecg> DIR [--name N] [--seed K] [--json]

Reads the files as NAS-Bench-360 distributes them and prepares them as it does:
  ninapro  DIR holds ninapro_{train,val,test}.npy (N, 52, 16) and label_{train,val,test}.npy; samples become 16 x 52
  darcy    DIR holds piececonst_r421_N1024_smooth1.mat (train) and _smooth2.mat (test), MAT v5 or v7.3;
           every 5th point (85 x 85), inputs [a, x, y]
  ecg      DIR holds challenge2017.pkl (read by a restricted unpickler that executes nothing); per-recording
           z-score, split by recording with --seed, windows of 1000 with class-dependent strides
Runs on these datasets are shown beside the published numbers.
${jsonHelp}
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, name: { type: 'string' }, seed: { type: 'string' } },
  positionals: { min: 2, max: 2, names: 'a task (ninapro, darcy, ecg) and a folder' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const [task, dir] = positionals as [string, string];
      const summary = await withImportBar(core, io, `importing ${task}`, () =>
        core.invoke('datasets/import-nb360', {
          task: oneOf(task, PublishedTask.options, 'the task'),
          dir,
          ...(stringOption(values, 'name') ? { name: stringOption(values, 'name')! } : {}),
          ...(stringOption(values, 'seed') ? { seed: integerOption(values, 'seed', 0, 2 ** 31 - 1)! } : {}),
        }),
      );
      printSummary(io, values.json === true, 'Imported', summary);
      return 0;
    }),
};

export const datasetGroup: CommandGroup = {
  name: 'dataset',
  summary: 'generate, import, list, show and remove datasets',
  subcommands: [generateCommand, importCommand, importNb360Command, listCommand, showCommand, removeCommand],
};
