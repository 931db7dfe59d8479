/**
 * The process native-backend.test.ts forks (a tfjs backend is per process, and the native library stays loaded):
 * `probe` says whether the native 'tensorflow' backend starts through the worker's runtime; `compare` computes every
 * check on 'tensorflow' and on 'cpu' with the same inputs and sends each output's max error relative to the cpu
 * result's largest magnitude, as the webgpu equivalence page does (test/unit/worker/browser/fixtures/equivalence-page.ts,
 * whose checks these are: test/helpers/backend-equivalence.ts); `runs` does a tiny DASH and P-DASH run on each backend and sends what they recorded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setupNodeRuntime } from '../../../src/worker/node-runtime.ts';
import { runMethod, type RunDataset } from '../../../src/worker/engine/index.ts';
import { resolveConfig, type EngineEvent, type RunConfig } from '../../../src/shared/engine/index.ts';
import { compareWithCpu } from '../../helpers/backend-equivalence.ts';
import type { Method } from '../../../src/shared/contract/index.ts';
import { disposeDataset, stripes2d, waves1d } from '../../unit/worker/engine/search/synthetic-tasks.ts';

export interface ProbeAnswer {
  available: boolean;
  detail: string;
}

export interface CheckResult {
  name: string;
  /** Max |tensorflow - cpu| / max |cpu| over each output. */
  errors: Record<string, number>;
  /** The backend active after the native computation (the check switched to 'tensorflow' and stayed there). */
  backend: string;
  tensorflowMs: number;
  cpuMs: number;
}

export interface RunRecord {
  backend: string;
  method: Method;
  task: string;
  /** Search-phase training loss per epoch, in event order (P-DASH: every round). */
  searchLosses: number[];
  /** Every alpha snapshot's alpha values, flattened in event order. */
  alphas: number[][];
  /** The smallest gap between a layer's two largest alphas in the last snapshot (what the selection decides by). */
  lastMargin: number;
  archId: string;
  metric: number;
  ms: number;
}

async function compare(): Promise<CheckResult[]> {
  return (await compareWithCpu('tensorflow')).map((r) => ({ name: r.name, errors: r.errors, backend: r.backend, tensorflowMs: r.candidateMs, cpuMs: r.cpuMs }));
}

/** The tiny runs: smoke's budgets on 8x8 images (2-D) and 32-sample sequences (1-D), HP search cut to one trial. */
const TINY: RunConfig = resolveConfig('smoke', { hpSearch: { grid: { lr: [0.1], dropout: [0], weightDecay: [5e-4], momentum: [0.9] } }, retrain: { epochs: 2, milestones: [] } });

async function tinyRun(backend: 'cpu' | 'tensorflow', method: Method, task: 'stripes2d' | 'waves1d'): Promise<RunRecord> {
  await tf.setBackend(backend);
  const data: RunDataset = task === 'stripes2d' ? stripes2d(1) : waves1d(1);
  const events: EngineEvent[] = [];
  const started = performance.now();
  const result = await runMethod(method, TINY, data, 3, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
  const ms = performance.now() - started;
  disposeDataset(data);
  return {
    backend,
    method,
    task,
    searchLosses: events.flatMap((e) => (e.type === 'epoch' && e.phase === 'search' ? [e.trainLoss] : [])),
    alphas: events.flatMap((e) => (e.type === 'alpha' ? [e.layers.flatMap((l) => l.alpha)] : [])),
    lastMargin: Math.min(...(events.findLast((e) => e.type === 'alpha')?.layers ?? []).map((l) => topTwoGap(l.alpha))),
    archId: result.archId,
    metric: result.metric.value,
    ms,
  };
}

function topTwoGap(alpha: readonly number[]): number {
  const [first, second] = [...alpha].sort((a, b) => b - a);
  return second === undefined ? Infinity : first! - second;
}

async function runs(): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  for (const [method, task] of [['dash', 'stripes2d'], ['pdash', 'waves1d']] as const) {
    for (const backend of ['tensorflow', 'cpu'] as const) records.push(await tinyRun(backend, method, task));
  }
  return records;
}

async function main(mode: string): Promise<unknown> {
  let report;
  try {
    report = await setupNodeRuntime({ backend: 'tensorflow', threads: 2 });
  } catch (error) {
    return { available: false, detail: error instanceof Error ? error.message : String(error) } satisfies ProbeAnswer;
  }
  if (mode === 'probe') return { available: true, detail: report.detail } satisfies ProbeAnswer;
  if (mode === 'compare') return compare();
  if (mode === 'runs') return runs();
  throw new Error(`native-backend-child: unknown mode '${mode}' (probe, compare, runs)`);
}

const answer = await main(process.argv[2] ?? 'probe');
process.send!(answer, () => process.exit(0));
