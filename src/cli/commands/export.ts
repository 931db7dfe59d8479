import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LabError } from '../../shared/errors.ts';
import { ARCHITECTURE_FORMATS, exportArchitecture, exportReport, REPORT_FORMATS, type ArchitectureFormat, type ExportedFile, type ReportFormat } from '../../main/core/index.ts';
import { UsageError, commonHelp, commonOptions, oneOf, requireOptions, stringOption, type CliIo, type Command } from '../command.ts';
import { withLab } from '../lab.ts';

function positiveId(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${what} must be a positive integer, got '${text}'.`);
  return Number(text);
}

function sizeText(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 ** 2 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() ?? false;
}

/** Writes files into a folder (created if needed), turning file-system failures into errors that name the path. */
async function writeFiles(files: ReadonlyArray<{ path: string; file: ExportedFile }>): Promise<void> {
  for (const { path, file } of files) {
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.data);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // mkdir over a file says EEXIST or ENOTDIR, which reads as nonsense to someone who asked for a file path.
      const reason = code === 'EEXIST' || code === 'ENOTDIR' ? `part of the path is a file, not a folder (${code})` : error instanceof Error ? error.message : String(error);
      throw new LabError('unavailable', `Cannot write ${path}: ${reason}`, 'Choose a path you can write to with --out.');
    }
  }
}

function report(io: CliIo, json: boolean, written: ReadonlyArray<{ path: string; file: ExportedFile }>): void {
  if (json) {
    io.stdout(`${JSON.stringify({ files: written.map(({ path, file }) => ({ path, bytes: file.data.byteLength, mediaType: file.mediaType })) }, null, 2)}\n`);
    return;
  }
  for (const { path, file } of written) io.stdout(`Wrote ${path} (${sizeText(file.data.byteLength)}).\n`);
}

const exportCommand: Command = {
  name: 'export',
  summary: 'export a comparison: HTML or PDF report, or tables as Markdown, LaTeX, CSV',
  help: `Usage: pdash export EXPERIMENT --format <html|pdf|md|latex|csv> --out FILE [--json]
       pdash export --runs 3,4,7,8 --format <...> --out FILE

  html    a self-contained report: results (mean ± sample std, Welch tests, published numbers), every chart
          as inline SVG with legends and axis names, the chosen architectures, configuration, dataset with
          its content hash, and the environment; opens offline
  pdf     the same report printed by Chromium ($PDASH_CHROMIUM, else /usr/bin/chromium or Chrome)
  md      the tables as Markdown
  latex   a booktabs table: mean ± sample std over seeds, best in bold, published numbers beside
  csv     one row per run (seed, method, metric), one per method summary, one per published result

  --out FILE       where to write (a folder: the file gets its default name there)
  --json           print {files: [{path, bytes, mediaType}]}
${commonHelp}`,
  options: { ...commonOptions, json: { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' }, runs: { type: 'string' } },
  positionals: { min: 0, max: 1, names: 'an experiment id (or --runs)' },
  run: async (values, positionals, io) => {
    requireOptions(values, ['format', 'out']);
    const format = oneOf<ReportFormat>(stringOption(values, 'format')!, REPORT_FORMATS, '--format');
    const runsText = stringOption(values, 'runs');
    if ((positionals.length === 0) === (runsText === undefined)) throw new UsageError('Give an experiment id or --runs, not both and not neither.');
    const selection = runsText !== undefined ? { runs: runsText.split(',').map((s) => positiveId(s.trim(), '--runs')) } : { experiment: positiveId(positionals[0]!, 'EXPERIMENT') };
    return withLab(values, io, async (core) => {
      const file = await exportReport(core, selection, format, { env: io.env });
      const outText = stringOption(values, 'out')!;
      const out = resolve(io.cwd, outText);
      // An existing folder, or a path written as one (trailing slash), gets the file under its default name.
      const path = (await isDirectory(out)) || /[\\/]$/.test(outText) ? join(out, file.name) : out;
      const written = [{ path, file }];
      await writeFiles(written);
      report(io, values.json === true, written);
      return 0;
    });
  },
};

const exportArchCommand: Command = {
  name: 'export-arch',
  summary: "export a run's chosen architecture: spec JSON, TF.js model with weights, or PyTorch source",
  help: `Usage: pdash export-arch RUN --format <json|tfjs|pytorch> --out DIR [--json]

  json     architecture.json: the spec with its archId, the run, dataset (and content hash), cost, chosen
           hyperparameters, test result, and how inputs were normalised
  tfjs     model.json + weights.bin: a TF.js layers model (tf.loadLayersModel) with the retrained weights
           that were tested (best on validation); the run must be done
  pytorch  model.py: a PyTorch module that rebuilds the network (inputs channels first), with
           load_tfjs_weights() to carry over the weights of a tfjs export

  --out DIR        folder to write into (created if missing)
  --json           print {files: [{path, bytes, mediaType}]}
${commonHelp}`,
  options: { ...commonOptions, json: { type: 'boolean' }, format: { type: 'string' }, out: { type: 'string' } },
  positionals: { min: 1, max: 1, names: 'a run id' },
  run: async (values, positionals, io) => {
    requireOptions(values, ['format', 'out']);
    const format = oneOf<ArchitectureFormat>(stringOption(values, 'format')!, ARCHITECTURE_FORMATS, '--format');
    const runId = positiveId(positionals[0]!, 'RUN');
    return withLab(values, io, async (core) => {
      const files = await exportArchitecture(core, runId, format);
      const dir = resolve(io.cwd, stringOption(values, 'out')!);
      const existing = await stat(dir).catch(() => null);
      if (existing !== null && !existing.isDirectory()) throw new UsageError(`--out ${dir} is a file; export-arch writes into a folder.`, 'Give a folder path (it is created if missing).');
      const written = files.map((file) => ({ path: join(dir, file.name), file }));
      await writeFiles(written);
      report(io, values.json === true, written);
      return 0;
    });
  },
};

export const exportCommands: readonly Command[] = [exportCommand, exportArchCommand];
