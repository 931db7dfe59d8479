import type { Comparison, ExperimentSummary, Method, RunSummary } from '../../shared/contract/index.ts';
import { describeCapacity, type LabCore } from '../../main/core/index.ts';
import { BACKEND_NAMES, isBackendName, type RunConfig } from '../../shared/engine/index.ts';
import { LabError } from '../../shared/errors.ts';
import { UsageError, commonHelp, commonOptions, integerOption, requireOptions, stringOption, type CliIo, type Command, type CommandGroup } from '../command.ts';
import { withLab } from '../lab.ts';
import { budgetLines, budgetOverrides } from '../overrides.ts';
import { progressBar, type ProgressBar } from '../progress.ts';

const jsonOption = { json: { type: 'boolean' } } as const;

function list(text: string | undefined, what: string, parse: (item: string) => number | string): Array<number | string> {
  if (text === undefined) return [];
  const items = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw new UsageError(`--${what} is empty.`);
  return items.map(parse);
}

function integer(what: string) {
  return (item: string): number => {
    if (!/^\d+$/.test(item)) throw new UsageError(`--${what}: '${item}' is not a non-negative integer.`);
    return Number(item);
  };
}

function fmt(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '-';
  return Math.abs(value) >= 1000 || (Math.abs(value) < 1e-3 && value !== 0) ? value.toExponential(2) : value.toPrecision(digits);
}

/** The JSON `pdash run --json` prints: one line per run with its metric, architecture and seconds per phase. */
export function runReport(experiment: ExperimentSummary): { experimentId: number; runs: unknown[] } {
  return {
    experimentId: experiment.id,
    runs: experiment.runs.map((r) => ({
      id: r.id,
      method: r.method,
      seed: r.seed,
      status: r.status,
      metric: r.metric,
      architecture: r.architecture,
      seconds: r.seconds,
      ...(r.error ? { error: r.error } : {}),
    })),
  };
}

/** How many cores a run kept busy: its workers' CPU time over their wall, with the threads it was given. */
function cpuLine(cpu: NonNullable<RunSummary['cpu']>, threads: number | null): string {
  const ratio = cpu.wallSeconds > 0 ? (cpu.seconds / cpu.wallSeconds).toFixed(2) : '-';
  return `CPU time / wall = ${ratio} (threads ${threads ?? '-'}): ${cpu.seconds.toFixed(1)} s CPU in ${cpu.wallSeconds.toFixed(1)} s`;
}

function formatRuns(runs: RunSummary[]): string {
  const rows = [['run', 'method', 'seed', 'status', 'phase', 'metric', 'seconds', 'architecture (k/d per layer)']];
  for (const r of runs) {
    rows.push([
      String(r.id),
      r.method,
      String(r.seed),
      r.status,
      r.phase ?? '-',
      r.metric ? `${r.metric.name} ${fmt(r.metric.value)}` : '-',
      (r.seconds.total ?? 0).toFixed(1),
      r.architecture ? r.architecture.map((l) => `${l.kernel}/${l.dilation}`).join(' ') : '-',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd());
  for (const r of runs) if (r.cpu) lines.push(`  run ${r.id}: ${cpuLine(r.cpu, r.threads)}`);
  for (const r of runs) if (r.error) lines.push(`  run ${r.id}: ${r.error.message}${r.error.hint ? ` (${r.error.hint})` : ''}`);
  return lines.join('\n') + '\n';
}

/** A row's name: its method, and what sets its configuration apart when the method has several ("dash (smoke)"). */
function rowName(c: Comparison, index: number | undefined, method: string): string {
  const row = index === undefined ? undefined : c.methods[index];
  const label = row?.configuration?.label ?? '';
  return label === '' ? method : `${method} (${label})`;
}

export function formatComparison(c: Comparison): string {
  const lines: string[] = [];
  const metric = c.metric ? `${c.metric.name} (${c.metric.direction === 'minimize' ? 'lower is better' : 'higher is better'})` : 'no finished run yet';
  lines.push(`metric: ${metric}; ± is the sample standard deviation (n - 1); [low, high] a 95% bootstrap interval of the mean`);
  const best = c.metric && c.methods.filter((m) => m.mean !== null).sort((a, b) => (c.metric!.direction === 'minimize' ? a.mean! - b.mean! : b.mean! - a.mean!))[0];
  const width = Math.max(9, ...c.methods.map((m, i) => rowName(c, i, m.method).length));
  c.methods.forEach((m, i) => {
    const mark = best === m ? ' *' : '';
    const spread = m.std === null ? '' : ` ± ${fmt(m.std)}`;
    const interval = m.bootstrap ? `  95% [${fmt(m.bootstrap.low)}, ${fmt(m.bootstrap.high)}]` : '';
    const smoke = m.configuration?.smoke === true ? '  (smoke: not a result)' : '';
    lines.push(`  ${rowName(c, i, m.method).padEnd(width)} n=${m.n}${m.pending ? ` (+${m.pending} unfinished)` : ''}  ${m.mean === null ? '-' : fmt(m.mean)}${spread}${interval}  [min ${fmt(m.min)}, max ${fmt(m.max)}]${mark}${smoke}`);
    lines.push(`  ${''.padEnd(width)} per seed: ${m.values.map((v) => `${v.seed}: ${fmt(v.value)}${v.undecided && v.undecided.layers > 0 ? ` (${v.undecided.layers} of ${v.undecided.of} layers undecided)` : ''}`).join(', ') || '-'};  mean seconds ${Object.entries(m.seconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
  });
  for (const d of c.differences ?? []) lines.push(`  ${d.method} configurations differ: ${d.text}`);
  const needed = (n: number | null | undefined, what: string): string => (n === null || n === undefined ? '' : `; about ${n} ${what} would resolve it`);
  for (const w of c.welch) {
    lines.push(`  Welch t-test ${rowName(c, w.aRow, w.a)} vs ${rowName(c, w.bRow, w.b)}: t = ${w.t.toFixed(3)}, df = ${w.df.toFixed(2)}, p = ${w.p.toPrecision(3)}${needed(w.seedsNeeded, 'seeds per row')}`);
  }
  for (const p of c.paired ?? []) {
    const wilcoxon = p.wilcoxon ? `; Wilcoxon signed-rank p = ${p.wilcoxon.p.toPrecision(3)}` : '';
    lines.push(`  paired on seeds ${p.seeds.join(', ')}, ${rowName(c, p.aRow, p.a)} - ${rowName(c, p.bRow, p.b)}: mean ${fmt(p.meanDifference)}, t = ${p.t.toFixed(3)}, df = ${p.df}, p = ${p.p.toPrecision(3)}${wilcoxon}${needed(p.seedsNeeded, 'matched seeds')}`);
  }
  if (c.layers.length > 0) {
    lines.push('per layer and row, modal (k, d) across seeds with agreement:');
    for (const l of c.layers) lines.push(`  layer ${String(l.layer).padStart(2)}: ${l.byRow.map((v) => `${rowName(c, v.row, v.method)} k${v.kernel} d${v.dilation} (${v.agreement.toFixed(0)}% of ${v.n})`).join('   ')}`);
  }
  if (c.published) {
    lines.push(`published (${c.published.task}, ${c.published.metric.definition}):`);
    for (const r of c.published.results) lines.push(`  ${r.label}: ${r.mean} ± ${r.std} (n=${r.n})`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Runs the queue for one experiment in this process, with a progress bar per run on a terminal: `concurrency`
 * runs at a time, or as many as the machine takes; `announce` prints how many, and threads each, once it is known.
 */
async function superviseUntilIdle(core: LabCore, experimentId: number, concurrency: number | undefined, io: CliIo, announce: boolean): Promise<'finished' | 'interrupted'> {
  const bars = new Map<number, ProgressBar>();
  const bar = (runId: number): ProgressBar => {
    let b = bars.get(runId);
    if (b === undefined) {
      const run = core.runs.run(runId);
      b = progressBar(io, `run ${runId} ${run.method} seed ${run.seed}`);
      bars.set(runId, b);
    }
    return b;
  };
  const stop = core.events.subscribe((event, payload) => {
    if (event === 'runs/progress') {
      const p = payload as { runId: number; phase: string | null; progress: number; epoch: { epoch: number } | null };
      bar(p.runId).update(p.progress, 1, `${p.phase ?? ''}${p.epoch ? ` epoch ${p.epoch.epoch + 1}` : ''}`);
    } else if (event === 'runs/status') {
      const s = payload as { runId: number; status: string; error: { message: string } | null };
      if (s.status !== 'running' && s.status !== 'queued') {
        bar(s.runId).done(`run ${s.runId}: ${s.status}${s.error ? ` (${s.error.message})` : ''}`);
        bars.delete(s.runId);
      }
    }
  });
  const queue = core.runs.startQueue({ experimentId, ...(concurrency !== undefined ? { concurrency } : {}) });
  let interrupted = false;
  void io.interrupted.then(() => {
    interrupted = true;
    queue.close();
    // Ctrl+C pauses: every running run stops at its next step and stays resumable.
    for (const runId of core.runs.supervisor.running) core.runs.pause(runId);
  });
  const capacity = await queue.ready;
  if (announce) {
    io.stderr(`${describeCapacity(capacity)}.\n`);
    const asked = core.runs.experiment(experimentId).settings.backend;
    if (asked === undefined || asked === 'auto') io.stderr(`${await describeDefaultBackend(core)}\n`);
    else io.stderr(`backend: ${String(asked)} (--backend)\n`);
  }
  await queue.idle();
  stop();
  return interrupted ? 'interrupted' : 'finished';
}

/** "backend: wasm, the fastest that passed its smoke computation (probe step: wasm 3.8 ms, cpu 26.8 ms)". */
async function describeDefaultBackend(core: LabCore): Promise<string> {
  try {
    const probe = await core.compute();
    const timed = probe.backends.filter((b) => b.available && typeof b.probeMs === 'number').map((b) => `${b.name} ${b.probeMs!.toFixed(1)} ms`);
    const skipped = probe.backends.filter((b) => !b.available).map((b) => b.name);
    return `backend: ${probe.preferred}, the fastest that passed its smoke computation${timed.length > 0 ? ` (probe step: ${timed.join(', ')})` : ''}${skipped.length > 0 ? `; unavailable: ${skipped.join(', ')} (pdash info says why)` : ''}`;
  } catch (error) {
    return `backend: chosen by each worker (the compute probe failed: ${error instanceof Error ? error.message : String(error)})`;
  }
}

const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment: methods x seeds on a dataset',
  help: `Usage: pdash run --dataset N --methods dash[,pdash,backbone,random] --seeds 0,1,2
         --preset <smoke|quick|paper> [--kernels 3,5,7,9] [--dilations 1,3,7,15]
         [--selection argmax|perturbation] [--schedule 16,4,1 | --rounds R --keep-fraction F]
         [--round-epochs E] [--config FILE.json] [--set PATH=VALUE ...]
         [--concurrency K] [--backend B] [--name NAME] [--json]

Creates an experiment, runs each (method, seed) in its own worker process with a progress bar per run, and
prints the results, each run with its CPU time / wall; the resolved budget (epochs and batch size per phase)
and how many runs go at a time, with how many threads each, are printed before the runs start. Ctrl+C
pauses the running runs; continue them with \`pdash resume RUN\`.

  --dataset N      dataset id or name (pdash dataset list)
  --methods M,...  search methods to compare
  --seeds S,...    one run per method and seed
  --preset P       budget: smoke (seconds), quick (minutes on a CPU), paper (the reference budgets)
  --kernels, --dilations   the search space (default 2-D: 3,5,7,9 x 1,3,7,15; 1-D: 3,7,11,15,19 x 1,3,7,15)
  --selection S    argmax of softmax(alpha) (DASH's), or perturbation (DARTS-PT), also for P-DASH's pruning
  --schedule N,..  P-DASH: candidates per layer in each round, e.g. 16,4,1 (default: keep half per round, 3 rounds)
  --rounds R, --keep-fraction F, --round-epochs E   P-DASH without a schedule list, and epochs per round
  --config FILE    a custom budget: a JSON object of overrides on the preset, e.g.
                   {"search": {"epochs": 30}, "retrain": {"epochs": 40, "batchSize": 16}}
  --set PATH=VALUE one override, repeatable, applied after --config: a dotted path into the run
                   configuration and a JSON value, e.g. --set search.epochs=30 --set hpSearch.grid.lr=[0.1,0.01]
                   (strings in double quotes: --set search.mixtureMethod='"fft"'); an unknown setting or a
                   bad value is refused, naming the flag
  --concurrency K  K runs at a time, each with cores / K threads (default: what the machine takes: one run
                   per core on wasm, fewer runs of 4 threads on native TensorFlow, one per GPU, fewer
                   when free memory is short at about 1 GiB a run)
  --backend B      compute backend: auto (default: the fastest that passes its smoke computation, as
                   \`pdash info\` measures), ${BACKEND_NAMES.join(', ')}; a named backend that
                   cannot start fails its runs with the reason (\`pdash doctor\` checks a GPU setup)
  --json           print {experimentId, runs: [{id, method, seed, status, metric, architecture, seconds}]}
${commonHelp}`,
  options: {
    ...commonOptions,
    ...jsonOption,
    backend: { type: 'string' },
    dataset: { type: 'string' },
    methods: { type: 'string' },
    seeds: { type: 'string' },
    preset: { type: 'string' },
    kernels: { type: 'string' },
    dilations: { type: 'string' },
    selection: { type: 'string' },
    schedule: { type: 'string' },
    rounds: { type: 'string' },
    'keep-fraction': { type: 'string' },
    'round-epochs': { type: 'string' },
    concurrency: { type: 'string' },
    name: { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
  },
  run: (values, _p, io) => {
    requireOptions(values, ['dataset', 'methods', 'seeds', 'preset']);
    const sets = Array.isArray(values.set) ? values.set.filter((v): v is string => typeof v === 'string') : [];
    const overrides = budgetOverrides({ preset: stringOption(values, 'preset'), configFile: stringOption(values, 'config'), sets, cwd: io.cwd });
    const backend = stringOption(values, 'backend');
    if (backend !== undefined && backend !== 'auto' && !isBackendName(backend)) {
      throw new LabError('bad-request', `--backend ${backend} is not a compute backend.`, `Use auto or one of ${BACKEND_NAMES.join(', ')}; \`pdash info\` lists which start on this machine.`);
    }
    return withLab(values, io, async (core) => {
      const datasetText = stringOption(values, 'dataset')!;
      const kernels = list(stringOption(values, 'kernels'), 'kernels', integer('kernels')) as number[];
      const dilations = list(stringOption(values, 'dilations'), 'dilations', integer('dilations')) as number[];
      const concurrency = integerOption(values, 'concurrency', 1, 16);
      const schedule = list(stringOption(values, 'schedule'), 'schedule', integer('schedule')) as number[];
      const keepFraction = stringOption(values, 'keep-fraction');
      const pdash = {
        ...(schedule.length > 0 ? { schedule } : {}),
        ...(stringOption(values, 'rounds') ? { rounds: integerOption(values, 'rounds', 1, 10)! } : {}),
        ...(keepFraction !== undefined ? { keepFraction: Number(keepFraction) } : {}),
        ...(stringOption(values, 'round-epochs') ? { roundEpochs: integerOption(values, 'round-epochs', 1, 10_000)! } : {}),
      };
      const experiment = await core.invoke('experiments/create', {
        dataset: /^\d+$/.test(datasetText) ? Number(datasetText) : datasetText,
        methods: list(stringOption(values, 'methods'), 'methods', (s) => s) as Method[],
        seeds: list(stringOption(values, 'seeds'), 'seeds', integer('seeds')) as number[],
        preset: stringOption(values, 'preset') as 'smoke',
        ...(kernels.length > 0 ? { kernels } : {}),
        ...(dilations.length > 0 ? { dilations } : {}),
        ...(stringOption(values, 'selection') ? { selection: stringOption(values, 'selection') as 'argmax' } : {}),
        ...(stringOption(values, 'name') ? { name: stringOption(values, 'name')! } : {}),
        ...(Object.keys(pdash).length > 0 ? { pdash } : {}),
        ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
        ...(concurrency !== undefined ? { concurrency } : {}),
        ...(backend !== undefined ? { backend: backend as 'auto' } : {}),
      });
      if (values.json !== true) {
        io.stderr(`Experiment ${experiment.id}: ${experiment.runs.length} run(s) on ${experiment.dataset.name}, preset ${experiment.preset}.\n`);
        // The stored configuration, as the runs will use it: what the preset, --config and --set came to.
        if (experiment.config !== null) io.stderr(budgetLines(experiment.config as unknown as RunConfig, experiment.methods).join('\n') + '\n');
      }
      const how = await superviseUntilIdle(core, experiment.id, concurrency, io, values.json !== true);
      const final = core.runs.experiment(experiment.id);
      io.stdout(values.json === true ? JSON.stringify(runReport(final), null, 2) + '\n' : formatRuns(final.runs));
      if (how === 'interrupted') {
        io.stderr(`Paused. Continue with: pdash resume ${final.runs.filter((r) => r.status === 'paused').map((r) => r.id).join(' ')}\n`);
        return 130;
      }
      return final.runs.every((r) => r.status === 'done') ? 0 : 1;
    });
  },
};

const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue paused, interrupted or failed runs from their last checkpoint',
  help: `Usage: pdash resume RUN [RUN...] [--json] [--concurrency K]

Queues the runs again and supervises them here until they finish; each continues from its last checkpoint.
--concurrency K runs K at a time (default: what the machine takes, as for pdash run).
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, concurrency: { type: 'string' } },
  positionals: { min: 1, max: 1000, names: 'one or more run ids' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const ids = positionals.map((p) => integer('run')(p));
      const resumed = [];
      for (const id of ids) resumed.push(await core.invoke('runs/resume', { run: id }));
      const experiments = [...new Set(resumed.map((r) => r.experimentId))];
      let interrupted = false;
      const concurrency = integerOption(values, 'concurrency', 1, 16);
      for (const [i, experimentId] of experiments.entries()) {
        if ((await superviseUntilIdle(core, experimentId, concurrency, io, i === 0 && values.json !== true)) === 'interrupted') interrupted = true;
      }
      const runs = ids.map((id) => core.runs.run(id));
      io.stdout(values.json === true ? JSON.stringify(runs, null, 2) + '\n' : formatRuns(runs));
      return interrupted ? 130 : runs.every((r) => r.status === 'done') ? 0 : 1;
    }),
};

const cancelCommand: Command = {
  name: 'cancel',
  summary: 'cancel a queued or running run',
  help: `Usage: pdash cancel RUN [--json]

A queued run will not start; a running one stops at its next step (in whichever lab process runs it).
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption },
  positionals: { min: 1, max: 1, names: 'a run id' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const run = await core.invoke('runs/cancel', { run: integer('run')(positionals[0]!) });
      io.stdout(values.json === true ? JSON.stringify(run, null, 2) + '\n' : `Run ${run.id}: ${run.status === 'running' ? 'stopping' : run.status}.\n`);
      return 0;
    }),
};

const compareCommand: Command = {
  name: 'compare',
  summary: 'compare methods over seeds: mean ± sample std, Welch test, per-layer choices',
  help: `Usage: pdash compare EXPERIMENT [--json]
       pdash compare --runs 3,4,7,8 [--json]

Per method: n, mean, sample standard deviation (n - 1), min, max and per-seed values of the test metric;
Welch's t-test between methods; the modal (k, d) of each layer across seeds with its agreement; mean
seconds per phase; and the published numbers when the dataset stands for a NAS-Bench-360 task.
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, runs: { type: 'string' } },
  positionals: { min: 0, max: 1, names: 'an experiment id (or --runs)' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const runs = list(stringOption(values, 'runs'), 'runs', integer('runs')) as number[];
      if ((positionals.length === 0) === (runs.length === 0)) throw new UsageError('Give an experiment id or --runs, not both and not neither.');
      const comparison = await core.invoke('compare', runs.length > 0 ? { runs } : { experiment: integer('experiment')(positionals[0]!) });
      io.stdout(values.json === true ? JSON.stringify(comparison, null, 2) + '\n' : formatComparison(comparison));
      return 0;
    }),
};

const experimentsList: Command = {
  name: 'list',
  summary: 'list experiments with their runs\' status',
  help: `Usage: pdash experiments list [--json] [--offset N] [--limit N]
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption, offset: { type: 'string' }, limit: { type: 'string' } },
  run: (values, _p, io) =>
    withLab(values, io, async (core) => {
      const page = await core.invoke('experiments/list', { offset: integerOption(values, 'offset', 0, 1e9) ?? 0, limit: integerOption(values, 'limit', 1, 500) ?? 50 });
      if (values.json === true) {
        io.stdout(JSON.stringify(page, null, 2) + '\n');
        return 0;
      }
      if (page.items.length === 0) io.stdout('No experiments yet. Start one with `pdash run --dataset NAME --methods dash --seeds 0,1 --preset quick`.\n');
      for (const e of page.items) {
        const counts = new Map<string, number>();
        for (const r of e.runs) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
        io.stdout(`${String(e.id).padEnd(4)} ${e.name}  [${e.dataset.name}, ${e.preset}, seeds ${e.seeds.join(',')}]  ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}  ${e.createdAt.slice(0, 16).replace('T', ' ')}\n`);
      }
      return 0;
    }),
};

const experimentsShow: Command = {
  name: 'show',
  summary: 'show one experiment and its runs',
  help: `Usage: pdash experiments show EXPERIMENT [--json]
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption },
  positionals: { min: 1, max: 1, names: 'an experiment id' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const e = await core.invoke('experiments/show', { experiment: integer('experiment')(positionals[0]!) });
      io.stdout(values.json === true ? JSON.stringify(e, null, 2) + '\n' : `experiment ${e.id}: ${e.name}\n  dataset ${e.dataset.name}, methods ${e.methods.join(', ')}, seeds ${e.seeds.join(', ')}, preset ${e.preset}\n\n${formatRuns(e.runs)}`);
      return 0;
    }),
};

const experimentsRemove: Command = {
  name: 'remove',
  summary: 'remove an experiment, its runs and their files',
  help: `Usage: pdash experiments remove EXPERIMENT [--json]

Deletes the experiment, every run of it (metrics, alpha snapshots, architectures) and the runs' files
(checkpoints, weights). Refused while one of its runs is running. There is no undo.
${commonHelp}`,
  options: { ...commonOptions, ...jsonOption },
  positionals: { min: 1, max: 1, names: 'an experiment id' },
  run: (values, positionals, io) =>
    withLab(values, io, async (core) => {
      const removed = await core.invoke('experiments/remove', { experiment: integer('experiment')(positionals[0]!) });
      io.stdout(values.json === true ? JSON.stringify(removed, null, 2) + '\n' : `Removed experiment ${removed.id} (${removed.name}) and its ${removed.runs.length} run(s).\n`);
      return 0;
    }),
};

export const runCommands: readonly Command[] = [runCommand, resumeCommand, cancelCommand, compareCommand];
export const experimentsGroup: CommandGroup = { name: 'experiments', summary: 'list and show experiments', subcommands: [experimentsList, experimentsShow, experimentsRemove] };
