/**
 * `pdash bench [mixture|step]`: the engine's benchmarks on one or more compute backends, side by side. A backend
 * is process-wide in TF.js, so each backend runs in its own child process (src/worker/bench-main.ts), one after
 * another (never at once: they would compete for the cores), and this command prints one table. Progress goes to
 * stderr, results to stdout (`--json`: only JSON on stdout).
 *
 * The child's messages and results are plain JSON; the shapes read here are the ones bench-main.ts sends
 * (BenchMessage there; MixtureBenchResult and StepBenchResult in src/worker/engine/bench), declared again below
 * with the fields this command reads, because a front door does not import the worker.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BACKEND_PREFERENCE, BROWSER_ONLY_BACKENDS, isBackendName, type BackendName } from '../../shared/engine/index.ts';
import { commonHelp, commonOptions, integerOption, stringOption, UsageError, type CliIo, type Command } from '../command.ts';

/** The benchmark process entry, run from source by Node (type stripping), as the lab core runs its workers. */
const benchEntry = fileURLToPath(new URL('../../worker/bench-main.ts', import.meta.url));

const WHICH = ['mixture', 'step'] as const;
type Which = (typeof WHICH)[number];

// ---------------------------------------------------------------------------------------------------------
// What a bench process sends (see src/worker/bench-main.ts)

interface BackendReportJson {
  name: string;
  threads: number;
  simd: boolean;
  tfjsVersion: string;
  detail: string;
}
interface MachineJson {
  cpus: number;
  cpuModel: string;
  os: string;
  memoryGiB: number;
  node: string;
}
interface TimingJson {
  method: string;
  ms: number | null;
  samples: number;
  gflops: number | null;
  maxRelDiff: number | null;
  note: string | null;
}
interface LayerJson {
  name: string;
  inputShape: number[];
  outputShape: number[];
  kernels: number[];
  dilations: number[];
  patterns: number;
  slots: number;
  naiveFlops: number;
  methods: TimingJson[];
  pick: string;
  best: string | null;
  ratio: number | null;
}
interface MixtureJson {
  /** null where the process ended early (`partial`). */
  repeats: number | null;
  layers: LayerJson[];
  /** Set here (not by the bench process) when the process ended before its last layer: the layers measured. */
  partial?: true;
}
interface StepNetJson {
  ms: number;
  gflops: number;
}
interface StepEntryJson {
  reference: string;
  label: string;
  inputShape: number[];
  supernet: StepNetJson;
  plain: StepNetJson;
  ratio: number;
}
interface StepJson {
  batch: number;
  repeats: number;
  references: StepEntryJson[];
}
type BenchMessage =
  | { type: 'backend'; report: BackendReportJson; machine: MachineJson }
  | { type: 'progress'; message: string }
  | { type: 'mixture-layer'; layer: LayerJson }
  | { type: 'mixture'; result: MixtureJson }
  | { type: 'step'; result: StepJson }
  | { type: 'error'; stage: 'backend' | 'bench'; message: string };

/** One backend's outcome. */
interface BackendRun {
  /** As asked ('best' when none was named). */
  requested: BackendName | 'best';
  report: BackendReportJson;
  machine: MachineJson;
  mixture: MixtureJson | null;
  step: StepJson | null;
  /** Set when the benchmark failed after the backend started. */
  error: string | null;
}

interface SkippedBackend {
  name: BackendName | 'best';
  reason: string;
}

export const benchCommand: Command = {
  name: 'bench',
  summary: 'time mixture convolutions and search steps on each compute backend, side by side',
  help: `Usage: pdash bench [mixture|step] [--backend B[,B...] | --all-backends] [--threads N] [--batch N]
                   [--repeats R] [--layers FILTER] [--max-call-ms MS] [--json]

  mixture   one mixture layer's forward + backward (input gradient, weights, alpha, bias) for the naive
            one-conv-per-pattern path, every evaluation method and the cost model's pick, per reference layer
            (NinaPro 16x52 and Darcy 85x85 WRN layers, the ECG net at length 1000 with the default 1-D space and
            with DASH's largest 1-D space); each method's output and gradients are checked against naive
  step      a full DASH search step of the supernet against a training step of the plain network (WRN on
            NinaPro's 16x52, the 1-D ResNet on ECG's 1000), batch 32 unless --batch
  (none)    both

Each backend runs in its own process, one after another. Times are medians of R calls taken round-robin; the
ratios are measured in one run. Nothing here is asserted.

  --backend B[,B...]  backends to run (${BACKEND_PREFERENCE.join(', ')}); default: the best that starts
  --all-backends      every backend; those that do not start are listed with the reason
  --threads N         threads for backends that take a count (wasm, native TensorFlow)
  --batch N           batch size (mixture default: 32, 4 for Darcy's 85x85 layers; step default: 32)
  --repeats R         timed calls per alternative after a checking/warm-up call (default 5)
  --layers FILTER     comma-separated reference names (ninapro, darcy, ecg, ecg-large) or parts of layer
                      names, e.g. --layers ninapro,'ecg block1'
  --max-call-ms MS    a method slower than this in one call is not repeated; one the cost model puts above
                      4x this is skipped (default 15000)
  --json              print only JSON on stdout (progress stays on stderr)
${commonHelp}`,
  options: {
    ...commonOptions,
    backend: { type: 'string' },
    'all-backends': { type: 'boolean' },
    threads: { type: 'string' },
    batch: { type: 'string' },
    repeats: { type: 'string' },
    layers: { type: 'string' },
    'max-call-ms': { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 1, names: '[mixture|step]' },
  async run(values, positionals, io) {
    const which: Which[] = positionals[0] === undefined ? [...WHICH] : [parseWhich(positionals[0])];
    const backendList = stringOption(values, 'backend');
    const all = values['all-backends'] === true;
    if (all && backendList !== undefined) throw new UsageError('give --backend or --all-backends, not both.');
    const requested: Array<BackendName | 'best'> = all ? [...BACKEND_PREFERENCE] : backendList === undefined ? ['best'] : parseBackends(backendList);
    const threads = integerOption(values, 'threads', 1, 1024);
    const batch = integerOption(values, 'batch', 1, 65536);
    const repeats = integerOption(values, 'repeats', 1, 1000);
    const maxCallMs = integerOption(values, 'max-call-ms', 1, 24 * 3600 * 1000);
    const filter = stringOption(values, 'layers');
    if (filter !== undefined && !which.includes('mixture')) throw new UsageError('--layers selects mixture layers; it has no effect on pdash bench step.');
    const request = {
      ...(threads !== undefined ? { threads } : {}),
      mixture: which.includes('mixture')
        ? { ...(filter !== undefined ? { filter } : {}), ...(batch !== undefined ? { batch } : {}), ...(repeats !== undefined ? { repeats } : {}), ...(maxCallMs !== undefined ? { maxCallMs } : {}) }
        : null,
      step: which.includes('step') ? { ...(batch !== undefined ? { batch } : {}), ...(repeats !== undefined ? { repeats } : {}) } : null,
    };

    const runs: BackendRun[] = [];
    const skipped: SkippedBackend[] = [];
    let stopped = false;
    for (const name of requested) {
      if (name !== 'best' && BROWSER_ONLY_BACKENDS.includes(name)) {
        skipped.push({ name, reason: 'runs only in a Chromium page (the browser engine host), not in a Node process' });
        io.stderr(`[${name}] skipped: runs only in a Chromium page\n`);
        continue;
      }
      const { outcome, interrupted } = await runBackend(name, { ...request, ...(name === 'best' ? {} : { backend: name }) }, io);
      if (interrupted) {
        // What was measured so far is still printed.
        if (!('reason' in outcome)) runs.push(outcome);
        io.stderr('pdash bench: interrupted\n');
        stopped = true;
        break;
      }
      if ('reason' in outcome) {
        skipped.push(outcome);
        io.stderr(`[${name}] did not start: ${outcome.reason}\n`);
      } else {
        runs.push(outcome);
        if (outcome.error !== null) io.stderr(`[${outcome.report.name}] the benchmark failed: ${outcome.error}\n`);
      }
    }

    if (values.json === true) {
      io.stdout(JSON.stringify({ benchmarks: which, request, backends: runs, skipped }, null, 2) + '\n');
    } else {
      io.stdout(formatBench(runs, skipped));
    }
    if (stopped) return 130;
    if (runs.length === 0) {
      io.stderr(`pdash bench: no backend started (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})\n`);
      return 1;
    }
    return runs.some((r) => r.error !== null) ? 1 : 0;
  },
};

function parseWhich(value: string): Which {
  if (!(WHICH as readonly string[]).includes(value)) throw new UsageError(`pdash bench takes mixture or step (or nothing, for both), got '${value}'.`);
  return value as Which;
}

function parseBackends(list: string): BackendName[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError('--backend needs at least one backend name.');
  for (const n of names) {
    if (!isBackendName(n)) throw new UsageError(`--backend: unknown backend '${n}'; the backends are ${BACKEND_PREFERENCE.join(', ')}.`);
  }
  return [...new Set(names)] as BackendName[];
}

/** Runs one bench process to its end; progress lines go to stderr prefixed with the backend. */
async function runBackend(name: BackendName | 'best', request: object, io: CliIo): Promise<{ outcome: BackendRun | SkippedBackend; interrupted: boolean }> {
  const child = fork(benchEntry, [`--pdash-bench=${JSON.stringify(request)}`], {
    // The parent's execArgv may carry a test runner's loaders; the bench process needs none.
    execArgv: [],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let label: string = name;
  let started: { report: BackendReportJson; machine: MachineJson } | null = null;
  let mixture: MixtureJson | null = null;
  const measured: LayerJson[] = [];
  let step: StepJson | null = null;
  let error: { stage: string; message: string } | null = null;
  // Whatever the process prints (TF.js notices, native library logs) is progress, never results.
  let stderrTail = '';
  const relay = (chunk: Buffer): void => {
    const text = chunk.toString();
    stderrTail = (stderrTail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim() !== '') io.stderr(`[${label}] ${line}\n`);
  };
  child.stdout?.on('data', relay);
  child.stderr?.on('data', relay);
  child.on('message', (raw) => {
    const message = raw as BenchMessage;
    switch (message.type) {
      case 'backend':
        started = { report: message.report, machine: message.machine };
        label = message.report.name;
        io.stderr(`[${label}] started: ${message.report.threads} thread(s); ${message.report.detail.split(';')[0]}\n`);
        break;
      case 'progress':
        io.stderr(`[${label}] ${message.message}\n`);
        break;
      case 'mixture-layer':
        measured.push(message.layer);
        break;
      case 'mixture':
        mixture = message.result;
        break;
      case 'step':
        step = message.result;
        break;
      case 'error':
        error = { stage: message.stage, message: message.message };
        break;
    }
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const raced = await Promise.race([exited, io.interrupted.then(() => 'interrupted' as const)]);
  const interrupted = raced === 'interrupted';
  if (interrupted) child.kill('SIGTERM');
  const result = interrupted ? await exited : (raced as { code: number | null; signal: string | null });
  // Messages sent just before exit are delivered before 'exit'; let any pending stream data drain.
  await new Promise((resolve) => setImmediate(resolve));
  const failure = error as { stage: string; message: string } | null;
  const begun = started as { report: BackendReportJson; machine: MachineJson } | null;
  if (begun === null) {
    const reason = failure?.message ?? `the bench process exited (code ${result.code}, signal ${result.signal}) before its backend started${stderrTail.trim() === '' ? '' : `: ${stderrTail.trim().split('\n').at(-1)}`}`;
    return { outcome: { name, reason: interrupted ? 'interrupted before it started' : reason }, interrupted };
  }
  const benchError = interrupted
    ? 'interrupted'
    : failure !== null
      ? failure.message
      : result.code !== 0
        ? `the bench process exited with code ${result.code}${result.signal === null ? '' : ` (signal ${result.signal})`}` : null;
  const finished = mixture as MixtureJson | null;
  const mixtureResult = finished ?? (measured.length > 0 ? { repeats: null, layers: measured, partial: true as const } : null);
  return { outcome: { requested: name, report: begun.report, machine: begun.machine, mixture: mixtureResult, step, error: benchError }, interrupted };
}

// ---------------------------------------------------------------------------------------------------------
// Text output

const fixed = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
const diffText = (v: number | null): string => (v === null ? '-' : Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : v.toExponential(1));

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('').trimEnd());
}

function backendLabel(run: BackendRun): string {
  return `${run.report.name} (${run.report.threads} thread${run.report.threads === 1 ? '' : 's'})`;
}

/** A mismatch worth shouting about: float32 paths agree to ~1e-5 relative; 1e-3 is a wrong result. */
const MISMATCH = 1e-3;

export function formatBench(runs: readonly BackendRun[], skipped: readonly SkippedBackend[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`${backendLabel(run)}: ${run.report.detail.split(';')[0]}; ${run.machine.cpus} CPUs (${run.machine.cpuModel}), ${run.machine.os}`);
  }
  for (const s of skipped) lines.push(`${s.name}: not run (${s.reason})`);

  const withMixture = runs.filter((r) => r.mixture !== null);
  if (withMixture.length > 0) {
    lines.push('', 'Mixture layer, forward + backward (dx, weights, alpha, bias): median ms per method; GFLOP/s counts the naive path\'s FLOPs; rel diff = max |method - naive| / max |naive| over the output and every gradient');
    const names = [...new Set(withMixture.flatMap((r) => r.mixture!.layers.map((l) => l.name)))];
    for (const name of names) {
      const first = withMixture.map((r) => r.mixture!.layers.find((l) => l.name === name)).find((l) => l !== undefined)!;
      lines.push(
        '',
        `${name}  [${first.inputShape.join('x')} -> ${first.outputShape.join('x')}; ${first.patterns} patterns K {${first.kernels.join(',')}} x D {${first.dilations.join(',')}}; ${first.slots} slot${first.slots === 1 ? '' : 's'} in the net; naive ${(first.naiveFlops / 1e9).toFixed(2)} GFLOP]`,
      );
      for (const run of withMixture) {
        const layer = run.mixture!.layers.find((l) => l.name === name);
        if (layer === undefined) continue;
        const methods = layer.methods.map((m) => m.method);
        const rows: string[][] = [
          [backendLabel(run), ...methods],
          ['  ms', ...layer.methods.map((m) => `${fixed(m.ms, 1)}${m.note === null ? '' : m.ms === null ? ' (skipped)' : ' (1 call)'}`)],
          ['  GFLOP/s', ...layer.methods.map((m) => fixed(m.gflops, 2))],
          ['  rel diff', ...layer.methods.map((m) => (m.method === 'naive' ? 'ref' : `${diffText(m.maxRelDiff)}${m.maxRelDiff !== null && !(m.maxRelDiff <= MISMATCH) ? ' MISMATCH' : ''}`))],
        ];
        lines.push(...table(rows));
        lines.push(`    pick ${layer.pick}, naive/pick ${layer.ratio === null ? '-' : `${layer.ratio.toFixed(2)}x`}, best ${layer.best ?? '-'}${layer.best !== null && layer.best !== layer.pick ? ` (pick is ${pickVsBest(layer)})` : ''}`);
        for (const m of layer.methods) if (m.note !== null) lines.push(`    ${m.method}: ${m.note}`);
      }
    }
  }

  const withStep = runs.filter((r) => r.step !== null);
  if (withStep.length > 0) {
    const batch = withStep[0]!.step!.batch;
    lines.push('', `Search step (supernet: forward, backward, alpha treatment, clipping, both SGD updates) vs a training step of the plain network, batch ${batch}: median ms`);
    const rows: string[][] = [['network', 'backend', 'supernet ms', 'plain ms', 'supernet/plain', 'supernet GFLOP/s', 'plain GFLOP/s']];
    const references = withStep[0]!.step!.references.map((r) => r.reference);
    for (const reference of references) {
      for (const run of withStep) {
        const e = run.step!.references.find((r) => r.reference === reference);
        if (e === undefined) continue;
        rows.push([e.label, backendLabel(run), e.supernet.ms.toFixed(1), e.plain.ms.toFixed(1), `${e.ratio.toFixed(2)}x`, e.supernet.gflops.toFixed(2), e.plain.gflops.toFixed(2)]);
      }
    }
    lines.push(...table(rows));
  }
  for (const run of runs) {
    if (run.mixture?.partial === true) lines.push('', `${run.report.name}: the mixture benchmark ended early; the layers above are those it measured (${run.mixture.layers.length})`);
    if (run.error !== null) lines.push('', `${run.report.name}: the benchmark failed: ${run.error}`);
  }
  return lines.join('\n') + '\n';
}

function pickVsBest(layer: LayerJson): string {
  const pick = layer.methods.find((m) => m.method === layer.pick)?.ms ?? null;
  const best = layer.methods.find((m) => m.method === layer.best)?.ms ?? null;
  return pick === null || best === null ? 'not measured' : `${(pick / best).toFixed(2)}x the best`;
}
