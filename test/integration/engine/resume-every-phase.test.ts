/**
 * Every method, stopped after the n-th checkpoint it writes (as a pause stops it) and resumed from that checkpoint,
 * ends exactly as the uninterrupted run: the same result and the same checkpoints after the n-th, byte for byte.
 * That the checkpoint was read (and not, say, ignored and the run started over) shows in the resumed run's events:
 * its `run-start` names the resume point, and it trains exactly the epochs and HP trials the uninterrupted run
 * trained after that checkpoint, no more.
 *
 * The table lists where each method checkpoints on a smoke budget (search epochs, P-DASH rounds and the start of a
 * round, perturbation selection, random candidates, HP trials, the end of HP search, retraining epochs); the test
 * first checks a run writes exactly those, so a phase that starts or stops checkpointing changes the table. On
 * 1-D sequences (the ResNet1D backbone with its 8, 5, 3 kernels) every checkpoint is resumed; on 2-D images (WRN)
 * those that restore a network, which keeps the file near a minute on two busy cores.
 *
 * Regression: a run paused at the checkpoint written when HP search ends (retraining at epoch 0, no tensors: the
 * network starts from the shared initialisation) failed to resume with "checkpoint: no value stored for
 * block1.conv1.w.k8d1", for every method and backbone (the name is only the network's first variable).
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Method } from '../../../src/shared/contract/index.ts';
import { decodeCheckpoint, encodeCheckpoint, resolveConfig, type EngineEvent, type PipelineState, type RunCheckpoint, type RunConfig } from '../../../src/shared/engine/index.ts';
import { RunCancelledError, runMethod, type RunDataset, type RunResult } from '../../../src/worker/engine/index.ts';
import { eventsOf } from '../../unit/worker/engine/search/run-recorder.ts';
import { disposeDataset, stripes2d, waves1d } from '../../unit/worker/engine/search/synthetic-tasks.ts';
import { useTestBackend } from '../../unit/worker/engine/train/test-backend.ts';

beforeAll(useTestBackend);

interface Recorded {
  events: EngineEvent[];
  /** Encoded, as the worker writes them to disk. */
  checkpoints: Uint8Array[];
  /** The run's result, or the error it rejected with. */
  outcome: { result: RunResult } | { error: unknown };
}

/** Runs a method to its end or, with `stopAfter`, until it has written that many checkpoints (as a pause does). */
async function record(row: Case, data: RunDataset, options: { stopAfter?: number; resume?: RunCheckpoint } = {}): Promise<Recorded> {
  const events: EngineEvent[] = [];
  const checkpoints: Uint8Array[] = [];
  const controller = new AbortController();
  const outcome = await runMethod(row.method, row.config, data, SEED, {
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'checkpoint' && checkpoints.length === options.stopAfter) controller.abort();
    },
    saveCheckpoint: (c) => {
      checkpoints.push(encodeCheckpoint(c));
    },
    ...(options.resume === undefined ? {} : { loadCheckpoint: () => options.resume }),
    signal: controller.signal,
  }).then((result) => ({ result }), (error: unknown) => ({ error }));
  return { events, checkpoints, outcome };
}

function resultOf(r: Recorded): RunResult {
  if ('error' in r.outcome) throw r.outcome.error;
  return r.outcome.result;
}

const SEED = 3;

/** A checkpoint's place in the pipeline, as the table writes it. */
function where(state: PipelineState): string {
  switch (state.phase) {
    case 'search':
      return `search${state.round === null ? '' : ` r${state.round}`} @${state.nextEpoch}`;
    case 'select':
      return `select${state.round === null ? '' : ` r${state.round}`} @${state.next}`;
    case 'random-search':
      return `random @${state.done.length}`;
    case 'hp-search':
      return state.current === null ? 'hp start' : `hp t${state.current.trial} @${state.current.nextEpoch}`;
    case 'retrain':
      return `retrain @${state.nextEpoch}`;
  }
}

/** The kind of a checkpoint: its label without epoch and trial numbers. */
function kind(label: string): string {
  return label.replace(/ (t\d+ )?@\d+$/, '');
}

/** After HP search and retraining, the same for every method on the smoke budget (2 HP trials, 3 retrain epochs). */
const TRAINING = ['hp start', 'hp t0 @1', 'hp t1 @1', 'retrain @0', 'retrain @1', 'retrain @2', 'retrain @3'];

/** Which checkpoints a row stops after: all, the first of each kind, or those named. */
type Points = 'every' | 'first' | string[];

interface Case {
  method: Method;
  /** The row's name where it is not the method's. */
  name?: string;
  config: RunConfig;
  checkpoints: string[];
  points: Points;
}

const smoke = resolveConfig('smoke');
const perturbation = resolveConfig('smoke', { selection: 'perturbation' });

/**
 * 1-D: every checkpoint of every method, and P-DASH with perturbation selection (a checkpoint after each layer it
 * fixes but the last) at the first of each kind. 2-D: the checkpoints that restore a network (the tensor-free
 * ones, `hp start` and `random`, read no weights and are covered on 1-D) of the backbone, DASH and P-DASH.
 */
function cases(rank: 1 | 2): Case[] {
  const oneD = rank === 1;
  // As many random candidates as DASH's search compute pays for (randomCandidateCount): 1 on both tasks here.
  const random: Case = { method: 'random', config: smoke, checkpoints: ['random @1', ...TRAINING], points: 'every' };
  return [
    // The backbone's architecture is known before anything trains: its first checkpoint is an HP trial's.
    { method: 'backbone', config: smoke, checkpoints: TRAINING.slice(1), points: oneD ? 'every' : ['hp t0 @1', 'retrain @0'] },
    { method: 'dash', config: smoke, checkpoints: ['search @1', 'search @2', ...TRAINING], points: oneD ? 'every' : ['search @1', 'hp t0 @1', 'retrain @0'] },
    // Round 2 starts from the survivors of round 1 (`carry/`), checkpointed before it trains.
    { method: 'pdash', config: smoke, checkpoints: ['search r1 @1', 'search r2 @0', 'search r2 @1', ...TRAINING], points: oneD ? 'every' : ['search r1 @1', 'search r2 @0', 'retrain @0'] },
    ...(oneD
      ? [
          random,
          {
            method: 'pdash' as const,
            name: 'pdash, perturbation selection',
            config: perturbation,
            checkpoints: ['search r1 @1', 'search r2 @0', 'search r2 @1', ...Array.from({ length: 9 - 1 }, (_, i) => `select r2 @${i + 1}`), ...TRAINING],
            points: 'first' as const,
          },
        ]
      : []),
  ];
}

const TASKS: Array<{ name: string; data: () => RunDataset; rank: 1 | 2 }> = [
  { name: '1-D sequences (ResNet1D)', data: () => waves1d(11), rank: 1 },
  { name: '2-D images (WRN)', data: () => stripes2d(11, { train: 16, validation: 8, test: 8 }), rank: 2 },
];

function selectPoints(labels: readonly string[], points: Points): Array<{ n: number; label: string }> {
  const all = labels.map((label, n) => ({ n, label }));
  if (points === 'every') return all;
  if (points === 'first') return all.filter(({ n, label }) => all.find((p) => kind(p.label) === kind(label))!.n === n);
  for (const label of points) if (!labels.includes(label)) throw new Error(`the table names checkpoint ${label}, which the row does not write`);
  return all.filter(({ label }) => points.includes(label));
}

/** Epoch events without their timings. */
function epochs(events: readonly EngineEvent[]): Array<Omit<Extract<EngineEvent, { type: 'epoch' }>, 'wallMs'>> {
  return eventsOf(events, 'epoch').map(({ wallMs: _wallMs, ...e }) => e);
}

/** The events a run emitted after its n-th checkpoint (0-based). */
function eventsAfterCheckpoint(events: readonly EngineEvent[], n: number): EngineEvent[] {
  let seen = -1;
  const at = events.findIndex((e) => e.type === 'checkpoint' && ++seen === n);
  if (at < 0) throw new Error(`the run announced fewer than ${n + 1} checkpoints`);
  return events.slice(at + 1);
}

for (const task of TASKS) {
  describe(`resuming from every phase on ${task.name}`, () => {
    const data = task.data();
    afterAll(() => disposeDataset(data));

    for (const row of cases(task.rank)) {
      describe(row.name ?? row.method, () => {
        let uninterrupted: Recorded;
        beforeAll(async () => {
          uninterrupted = await record(row, data);
          resultOf(uninterrupted);
        });

        it(`checkpoints at ${row.checkpoints.join(', ')}`, () => {
          expect(uninterrupted.checkpoints.map((c) => where(decodeCheckpoint(c).state))).toEqual(row.checkpoints);
        });

        it.each(selectPoints(row.checkpoints, row.points))('stopped after checkpoint $n ($label), resumed: the same run from there on', async ({ n }) => {
          const before = tf.memory().numTensors;
          const stopped = await record(row, data, { stopAfter: n + 1 });
          expect('error' in stopped.outcome && stopped.outcome.error).toBeInstanceOf(RunCancelledError);
          expect(tf.memory().numTensors).toBe(before);
          // A stop takes effect at the next step boundary: the checkpoint that ends a phase is followed by the next
          // phase's first one without a step between them (the random baseline's last candidate, then HP search's).
          expect(stopped.checkpoints.length).toBeGreaterThanOrEqual(n + 1);
          expect(stopped.checkpoints).toEqual(uninterrupted.checkpoints.slice(0, stopped.checkpoints.length));

          const checkpoint = decodeCheckpoint(stopped.checkpoints[n]!);
          const resumed = await record(row, data, { resume: checkpoint });
          const result = resultOf(resumed);
          expect(tf.memory().numTensors).toBe(before);
          // Read: the run says where it resumed and trains only what the uninterrupted run trained after that point.
          const after = eventsAfterCheckpoint(uninterrupted.events, n);
          expect(resumed.events[0]).toMatchObject({ type: 'run-start', resumedFrom: { phase: checkpoint.state.phase === 'random-search' ? 'search' : checkpoint.state.phase } });
          expect(epochs(resumed.events)).toEqual(epochs(after));
          expect(eventsOf(resumed.events, 'hp-trial').map((t) => t.trial)).toEqual(eventsOf(after, 'hp-trial').map((t) => t.trial));
          // Ended the same: every later checkpoint byte for byte, and the result.
          expect(resumed.checkpoints).toEqual(uninterrupted.checkpoints.slice(n + 1));
          expect(result).toEqual({ ...resultOf(uninterrupted), wallMs: result.wallMs });
        });
      });
    }
  });
}

describe('a retraining checkpoint past epoch 0 without its weights', () => {
  it('is refused, saying which epoch it stands at and what to do', async () => {
    const data = waves1d(11);
    const row: Case = { method: 'backbone', config: smoke, checkpoints: [], points: 'first' };
    const stopped = await record(row, data, { stopAfter: 4 });
    const checkpoint = decodeCheckpoint(stopped.checkpoints.at(-1)!);
    expect(where(checkpoint.state)).toBe('retrain @1');
    const resumed = await record(row, data, { resume: { ...checkpoint, tensors: checkpoint.tensors.filter((t) => !t.name.startsWith('net/')) } });
    expect('error' in resumed.outcome && String(resumed.outcome.error)).toMatch(/^Error: resume: the checkpoint stands at retraining epoch 1 but holds no network weights; .*move it away and resume/);
    disposeDataset(data);
  });
});
