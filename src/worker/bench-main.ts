/**
 * Benchmark process entry: sets up one compute backend in this process (tfjs's backend is process-wide), runs
 * the engine's benchmarks (src/worker/engine/bench) on it and reports over the fork IPC channel. `pdash bench`
 * (src/cli/commands/bench.ts) starts one of these per backend, one after another, and prints the results side by
 * side.
 *
 *   fork('src/worker/bench-main.ts', ['--pdash-bench=<BenchRequest as JSON>'])
 *
 * Messages (plain JSON, in this order; a failure ends with 'error' at any point):
 *   { type: 'backend', report, machine }      the backend started (report: BackendReport)
 *   { type: 'progress', message }             any number
 *   { type: 'mixture-layer', layer }          each layer as it is measured: MixtureLayerResult
 *   { type: 'mixture', result }               when asked: MixtureBenchResult
 *   { type: 'step', result }                  when asked: StepBenchResult
 *   { type: 'error', stage, message }         stage 'backend' (it did not start) or 'bench'
 * The process exits 0 after its last message, 1 after 'error'.
 */
import os from 'node:os';
import { isBackendName } from '../shared/engine/index.ts';
import { messageOf, runMixtureBench, runStepBench, type BackendName, type BackendReport, type MixtureBenchResult, type StepBenchResult } from './engine/index.ts';
import { setupNodeRuntime } from './node-runtime.ts';

export interface BenchRequest {
  /** Absent: the best backend that starts. */
  backend?: BackendName;
  threads?: number;
  mixture: { filter?: string; batch?: number; repeats?: number; maxCallMs?: number } | null;
  step: { batch?: number; repeats?: number } | null;
}

export interface BenchMachine {
  cpus: number;
  cpuModel: string;
  os: string;
  memoryGiB: number;
  node: string;
}

export type BenchMessage =
  | { type: 'backend'; report: BackendReport; machine: BenchMachine }
  | { type: 'progress'; message: string }
  | { type: 'mixture-layer'; layer: MixtureBenchResult['layers'][number] }
  | { type: 'mixture'; result: MixtureBenchResult }
  | { type: 'step'; result: StepBenchResult }
  | { type: 'error'; stage: 'backend' | 'bench'; message: string };

const FLAG = '--pdash-bench=';

function machine(): BenchMachine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.versions.node,
  };
}

function parseRequest(argv: readonly string[]): BenchRequest {
  const raw = argv.find((a) => a.startsWith(FLAG));
  if (raw === undefined) throw new Error(`bench-main: start it with ${FLAG}<request JSON> (pdash bench does)`);
  const request = JSON.parse(raw.slice(FLAG.length)) as BenchRequest;
  if (request.backend !== undefined && !isBackendName(request.backend)) throw new Error(`bench-main: unknown backend '${String(request.backend)}'`);
  return request;
}

async function send(message: BenchMessage): Promise<void> {
  const post = process.send?.bind(process);
  if (post === undefined) {
    // Started by hand: JSON lines on stdout instead.
    process.stdout.write(`${JSON.stringify(message)}\n`);
    return;
  }
  await new Promise<void>((resolve, reject) => post(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

async function main(): Promise<number> {
  let request: BenchRequest;
  try {
    request = parseRequest(process.argv);
  } catch (error) {
    await send({ type: 'error', stage: 'backend', message: messageOf(error) });
    return 1;
  }
  let report: BackendReport;
  try {
    report = await setupNodeRuntime({ ...(request.backend !== undefined ? { backend: request.backend } : {}), ...(request.threads !== undefined ? { threads: request.threads } : {}) });
  } catch (error) {
    await send({ type: 'error', stage: 'backend', message: messageOf(error) });
    return 1;
  }
  await send({ type: 'backend', report, machine: machine() });
  const progress = (message: string): void => void send({ type: 'progress', message });
  try {
    if (request.mixture !== null) {
      const result = await runMixtureBench(request.mixture, progress, (layer) => void send({ type: 'mixture-layer', layer }));
      await send({ type: 'mixture', result });
    }
    if (request.step !== null) await send({ type: 'step', result: await runStepBench(request.step, progress) });
  } catch (error) {
    await send({ type: 'error', stage: 'bench', message: error instanceof Error && error.stack !== undefined ? error.stack : messageOf(error) });
    return 1;
  }
  return 0;
}

const code = await main();
// Leave through exit(): wasm's pthread workers and tfjs-node's thread pools must not keep the process alive.
process.disconnect?.();
process.exit(code);
