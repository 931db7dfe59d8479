/**
 * `pdash bench [mixture|step]`: the engine's benchmarks on one or more compute backends, side by side. A backend
 * is process-wide in TF.js, so each backend runs in a worker of its own, one after another (never at once: they
 * would compete for the cores): the Node backends in the lab's own forked worker (the core's ForkWorkerHost, output
 * piped here), webgpu in a page of a headless Chromium (the core's BrowserWorkerHost). Both speak the worker protocol (src/worker/protocol.ts): this
 * command sends one 'bench' message and reads 'backend', 'bench-progress', 'bench-layer' and 'bench-result' (or
 * 'bench-error'); the shapes are the vocabulary's (src/shared/engine/bench.ts). It prints one table. Progress goes
 * to stderr, results to stdout (`--json`: only JSON on stdout).
 */
import os from 'node:os';
import { BrowserWorkerHost, ForkWorkerHost, type WorkerExit, type WorkerProcess } from '../../main/core/index.ts';
import {
  BACKEND_PREFERENCE,
  BROWSER_ONLY_BACKENDS,
  isBackendName,
  type BackendName,
  type BenchSpec,
  type MixtureBenchResult,
  type MixtureLayerResult,
  type StepBenchResult,
} from '../../shared/engine/index.ts';
import { commonHelp, commonOptions, integerOption, stringOption, UsageError, type CliIo, type Command } from '../command.ts';


const WHICH = ['mixture', 'step'] as const;
type Which = (typeof WHICH)[number];

/** A worker's message, as the core's hosts deliver it (validated: src/worker/protocol.ts's FromWorker). */
type WorkerMessage = Parameters<Parameters<WorkerProcess['onMessage']>[0]>[0];
type BackendReport = Extract<WorkerMessage, { type: 'backend' }>['report'];

/** The machine every worker ran on: this one (the forked workers and the Chromium page are local). */
interface Machine {
  cpus: number;
  cpuModel: string;
  os: string;
  memoryGiB: number;
  node: string;
}

/** A mixture benchmark that ended, or the layers measured before its worker stopped (`partial`). */
type MixtureOutcome = MixtureBenchResult | { repeats: null; layers: MixtureLayerResult[]; partial: true };

/** One backend's outcome. */
export interface BackendRun {
  /** As asked ('best' when none was named). */
  requested: BackendName | 'best';
  report: BackendReport;
  machine: Machine;
  mixture: MixtureOutcome | null;
  step: StepBenchResult | null;
  /** Set when the benchmark failed after the backend started. */
  error: string | null;
}

export interface SkippedBackend {
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

Each backend runs in a worker of its own, one after another: the Node backends in a forked process, webgpu in a
page of the machine's Chromium, headless (on the GPU's adapter, or SwiftShader, WebGPU computed on the CPU, when
Chromium finds none or PDASH_WEBGPU_ADAPTER=swiftshader). Times are medians of R calls taken round-robin; the
ratios are measured in one run. Nothing here is asserted.

  --backend B[,B...]  backends to run (${BACKEND_PREFERENCE.join(', ')}); default: the best a Node
                      worker starts
  --all-backends      every backend; those that do not start are listed with the reason
  --threads N         threads for backends that take a count (wasm, native TensorFlow)
  --batch N           batch size (mixture default: 32, 4 for Darcy's 85x85 layers; step default: 32)
  --repeats R         timed calls per alternative after a checking/warm-up call (default 5)
  --layers FILTER     comma-separated reference names (ninapro, darcy, ecg, ecg-large) or parts of layer
                      names, e.g. --layers ninapro,'ecg block1'
  --max-call-ms MS    a method slower than this in one call is not repeated; one estimated above 4x this (by
                      the cost model, or from the methods measured before it on the layer) is skipped
                      (default 15000)
  --json              print only JSON on stdout (progress stays on stderr)

  PDASH_CHROMIUM, PDASH_WEBGPU_ADAPTER   the browser and the adapter for webgpu (see pdash doctor)
  PDASH_ENGINE_PAGE   the built engine page's folder (default: the project's out/renderer, from npm run build)
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
    const spec: BenchSpec = {
      mixture: which.includes('mixture')
        ? { ...(filter !== undefined ? { filter } : {}), ...(batch !== undefined ? { batch } : {}), ...(repeats !== undefined ? { repeats } : {}), ...(maxCallMs !== undefined ? { maxCallMs } : {}) }
        : null,
      step: which.includes('step') ? { ...(batch !== undefined ? { batch } : {}), ...(repeats !== undefined ? { repeats } : {}) } : null,
    };
    const request = { ...(threads !== undefined ? { threads } : {}), ...spec };

    const machine = thisMachine();
    const runs: BackendRun[] = [];
    const skipped: SkippedBackend[] = [];
    let stopped = false;
    // Started when a backend needs it (only webgpu does) and closed before this command returns.
    let browser: BrowserWorkerHost | null = null;
    try {
      for (const name of requested) {
        const inPage = name !== 'best' && BROWSER_ONLY_BACKENDS.includes(name);
        const start = (relay: (text: string) => void): WorkerProcess => {
          if (!inPage) return forkBenchWorker(name, relay);
          browser ??= new BrowserWorkerHost({ env: io.env, ...(io.env.PDASH_ENGINE_PAGE ? { pageDir: io.env.PDASH_ENGINE_PAGE } : {}) });
          return browser.start({ name: `bench-${name}` });
        };
        const bench = { type: 'bench' as const, ...(name === 'best' ? {} : { backend: name }), ...(threads !== undefined ? { threads } : {}), spec };
        const { outcome, interrupted } = await runBackend(name, start, bench, machine, io);
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
    } finally {
      await (browser as BrowserWorkerHost | null)?.close();
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

function thisMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
  };
}

/**
 * A forked bench worker: the lab's worker entry started as the core starts its workers (advanced serialization: NaN,
 * a method's disagreement with naive, survives the trip), with its output piped to `relay`: TF.js notices and native
 * library logs become progress lines, and the last of them say why a worker died before it answered.
 */
function forkBenchWorker(name: BackendName | 'best', relay: (text: string) => void): WorkerProcess {
  return new ForkWorkerHost().start({ name: `bench-${name}`, output: relay });
}

type BenchRequest = Parameters<WorkerProcess['send']>[0] & { type: 'bench' };

/**
 * Runs one bench worker to its end: sends the bench once the worker is ready, relays its progress to stderr
 * prefixed with the backend, keeps each mixture layer as it arrives (so a worker stopped early, by Ctrl+C or a
 * page that died, still reports what it measured), and shuts the worker down after its last word.
 */
async function runBackend(
  name: BackendName | 'best',
  start: (relay: (text: string) => void) => WorkerProcess,
  bench: BenchRequest,
  machine: Machine,
  io: CliIo,
): Promise<{ outcome: BackendRun | SkippedBackend; interrupted: boolean }> {
  let label: string = name;
  let report: BackendReport | null = null;
  let mixture: MixtureBenchResult | null = null;
  const measured: MixtureLayerResult[] = [];
  let step: StepBenchResult | null = null;
  let finished = false;
  let failure: string | null = null;
  // Whatever the worker prints (TF.js notices, native library logs) is progress, never results.
  let outputTail = '';
  const relay = (text: string): void => {
    outputTail = (outputTail + text).slice(-2000);
    for (const line of text.split('\n')) if (line.trim() !== '') io.stderr(`[${label}] ${line}\n`);
  };
  const worker = start(relay);
  const exited = new Promise<WorkerExit>((resolve) => worker.onExit(resolve));
  const end = (): void => {
    try {
      worker.send({ type: 'shutdown' });
    } catch {
      // The worker is already gone (its exit is what runBackend waits for).
      worker.kill();
    }
  };
  worker.onMessage((message) => {
    switch (message.type) {
      case 'ready':
        worker.send(bench);
        break;
      case 'backend':
        report = message.report;
        label = message.report.name;
        io.stderr(`[${label}] started: ${message.report.threads} thread(s); ${headline(message.report.detail)}\n`);
        break;
      case 'bench-progress':
        io.stderr(`[${label}] ${message.message}\n`);
        break;
      case 'bench-layer':
        measured.push(message.layer);
        break;
      case 'bench-result':
        mixture = message.mixture;
        step = message.step;
        finished = true;
        end();
        break;
      case 'bench-error':
        failure = `${message.error.message}${message.error.hint === undefined ? '' : ` (${message.error.hint})`}`;
        if (message.stack !== undefined) relay(message.stack.split('\n').slice(1).join('\n'));
        finished = true;
        end();
        break;
      case 'error':
        // The worker could not start (a page that did not open says why) or cannot go on: the bench ends here.
        failure ??= `${message.error.message}${message.error.hint === undefined ? '' : ` (${message.error.hint})`}`;
        worker.kill();
        break;
      default:
        break;
    }
  });
  const raced = await Promise.race([exited, io.interrupted.then(() => 'interrupted' as const)]);
  const interrupted = raced === 'interrupted' && !finished;
  if (raced === 'interrupted') worker.kill();
  const exit = raced === 'interrupted' ? await exited : raced;
  // Messages sent just before exit are delivered before it; let any pending output drain.
  await new Promise((resolve) => setImmediate(resolve));
  const begun = report as BackendReport | null;
  const why = failure as string | null;
  const exitText = `exited (code ${exit.code}, signal ${exit.signal})`;
  const lastLine = outputTail.trim() === '' ? '' : `: ${outputTail.trim().split('\n').at(-1)}`;
  if (begun === null) {
    const reason = interrupted ? 'interrupted before it started' : (why ?? `the bench worker ${exitText} before its backend started${lastLine}`);
    return { outcome: { name, reason }, interrupted };
  }
  const error = interrupted ? 'interrupted' : why ?? (finished ? null : `the bench worker ${exitText} before it finished${lastLine}`);
  const done = mixture as MixtureBenchResult | null;
  const mixtureOutcome: MixtureOutcome | null = done ?? (measured.length > 0 ? { repeats: null, layers: measured, partial: true } : null);
  return { outcome: { requested: name, report: begun, machine, mixture: mixtureOutcome, step: step as StepBenchResult | null, error }, interrupted };
}

// ---------------------------------------------------------------------------------------------------------
// Text output

const fixed = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
const diffText = (v: number | null): string => (v === null ? '-' : Number.isNaN(v) ? 'NaN' : v === 0 ? '0' : v.toExponential(1));

function table(rows: string[][], indent = '  '): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => indent + r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join('').trimEnd());
}

/**
 * The first part of a backend's detail, up to its first '; ' outside parentheses: the package and where it computes
 * (webgpu's adapter description has a '; ' of its own inside its parentheses).
 */
export function headline(detail: string): string {
  let depth = 0;
  for (let i = 0; i < detail.length; i++) {
    const c = detail[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ';' && depth === 0) return detail.slice(0, i);
  }
  return detail;
}

function backendLabel(run: BackendRun): string {
  return `${run.report.name} (${run.report.threads} thread${run.report.threads === 1 ? '' : 's'})`;
}

/** A mismatch worth shouting about: float32 paths agree to ~1e-5 relative; 1e-3 is a wrong result. */
const MISMATCH = 1e-3;

export function formatBench(runs: readonly BackendRun[], skipped: readonly SkippedBackend[]): string {
  const lines: string[] = [];
  for (const run of runs) {
    lines.push(`${backendLabel(run)}: ${headline(run.report.detail)}; ${run.machine.cpus} CPUs (${run.machine.cpuModel}), ${run.machine.os}`);
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
    if (run.mixture !== null && 'partial' in run.mixture) lines.push('', `${run.report.name}: the mixture benchmark ended early; the layers above are those it measured (${run.mixture.layers.length})`);
    if (run.error !== null) lines.push('', `${run.report.name}: the benchmark failed: ${run.error}`);
  }
  return lines.join('\n') + '\n';
}

function pickVsBest(layer: MixtureLayerResult): string {
  const pick = layer.methods.find((m) => m.method === layer.pick)?.ms ?? null;
  const best = layer.methods.find((m) => m.method === layer.best)?.ms ?? null;
  return pick === null || best === null ? 'not measured' : `${(pick / best).toFixed(2)}x the best`;
}
