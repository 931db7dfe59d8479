import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunCancelledError, runDash, type RunDataset, type RunResult } from '../../../../../src/worker/engine/index.ts';
import { decodeCheckpoint, encodeCheckpoint, resolveConfig, type RunCheckpoint, type RunConfig, type EngineEvent } from '../../../../../src/shared/engine/index.ts';
import { useTestBackend } from '../train/test-backend.ts';
import { disposeDataset, field2d, stripes2d, stripes2dStreamed, waves1d } from './synthetic-tasks.ts';

beforeAll(useTestBackend);

interface Recorded {
  result: RunResult;
  events: EngineEvent[];
  checkpoints: Uint8Array[];
}

async function record(config: RunConfig, data: RunDataset, seed: number, options: { resume?: RunCheckpoint; abortAfterCheckpoint?: number } = {}): Promise<Recorded> {
  const events: EngineEvent[] = [];
  const checkpoints: Uint8Array[] = [];
  const controller = new AbortController();
  const result = await runDash(config, data, seed, {
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'checkpoint' && checkpoints.length === options.abortAfterCheckpoint) controller.abort();
    },
    saveCheckpoint: (c) => {
      checkpoints.push(encodeCheckpoint(c));
    },
    ...(options.resume ? { loadCheckpoint: () => options.resume } : {}),
    signal: controller.signal,
  });
  return { result, events, checkpoints };
}

/** Final network and best-validated weights, from the run's last checkpoint. */
function finalWeights(r: Recorded): Map<string, number[]> {
  const last = decodeCheckpoint(r.checkpoints.at(-1)!);
  expect(last.state.phase).toBe('retrain');
  return new Map(last.tensors.filter((t) => t.name.startsWith('net/') || t.name.startsWith('best/')).map((t) => [t.name, Array.from(t.data)]));
}

describe('runDash on a tiny 2-D classification task (smoke preset)', () => {
  const data = stripes2d(1);
  const config = resolveConfig('smoke');
  let baseline: Recorded;
  let tensorsBefore: number;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    baseline = await record(config, data, 7);
  });
  afterAll(() => disposeDataset(data));

  it('runs search -> select -> HP search -> retrain -> test and reports a classification error', () => {
    const { result, events } = baseline;
    expect(result.metric.name).toBe('error');
    expect(result.metric.direction).toBe('minimize');
    expect(result.metric.value).toBeGreaterThanOrEqual(0);
    expect(result.metric.value).toBeLessThanOrEqual(100);
    expect(result.spec.layers).toHaveLength(13);
    expect(result.spec.widthFactor).toBe(config.retrain.widthFactor);
    const phases = events.filter((e) => e.type === 'phase-start').map((e) => (e.type === 'phase-start' ? e.phase : ''));
    expect(phases).toEqual(['search', 'select', 'hp-search', 'retrain', 'test']);
    expect(events[0]!.type).toBe('run-start');
    expect(events.at(-1)).toEqual({ type: 'result', ...result });
    expect(events.filter((e) => e.type === 'alpha')).toHaveLength(config.search.epochs);
    const alpha = events.find((e) => e.type === 'alpha');
    if (alpha?.type !== 'alpha') throw new Error('no alpha event');
    expect(alpha.layers).toHaveLength(13);
    for (const l of alpha.layers) expect(l.softmax.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    const arch = events.find((e) => e.type === 'architecture');
    expect(arch?.type === 'architecture' && arch.archId).toBe(result.archId);
    expect(events.filter((e) => e.type === 'hp-trial').length).toBeGreaterThan(0);
    // JSON DTOs: survive a round trip unchanged.
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });

  it('selects the argmax of the last alpha snapshot and checkpoints the validated epoch, not the test one', () => {
    const { result, events } = baseline;
    const alphas = events.filter((e) => e.type === 'alpha');
    const last = alphas.at(-1);
    if (last?.type !== 'alpha') throw new Error('no alpha event');
    const argmax = last.layers.map((l) => l.patterns[l.alpha.indexOf(Math.max(...l.alpha))]);
    expect(result.spec.layers.map((l) => ({ kernel: l.kernel, dilation: l.dilation }))).toEqual(argmax);
    // One round event for DASH's selection: softmax(alpha) ranked, the argmax kept.
    const rounds = events.filter((e) => e.type === 'round');
    expect(rounds).toHaveLength(1);
    const round = rounds[0]!;
    if (round.type !== 'round') throw new Error('no round event');
    expect([round.round, round.rounds, round.selection]).toEqual([null, 1, 'argmax']);
    expect(round.layers.map((l) => l.kept[0])).toEqual(argmax);
    expect(round.layers.map((l) => l.ranking[0]!.score)).toEqual(last.layers.map((l) => Math.max(...l.softmax)));
    const retrainEpochs = events.filter((e) => e.type === 'epoch' && e.phase === 'retrain');
    const values = retrainEpochs.map((e) => (e.type === 'epoch' ? e.validation!.value : Number.NaN));
    const best = Math.min(...values);
    expect(result.validation!.value).toBe(best);
    expect(values[result.bestEpoch]).toBe(best);
    expect(values.lastIndexOf(best)).toBe(result.bestEpoch);
  });

  it('releases every tensor it allocated', () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('gives the same numbers for the same seed, and different ones for another seed', async () => {
    const again = await record(config, data, 7);
    expect(again.result).toEqual({ ...baseline.result, wallMs: again.result.wallMs });
    expect(finalWeights(again)).toEqual(finalWeights(baseline));
    const other = await record(config, data, 8);
    expect(finalWeights(other)).not.toEqual(finalWeights(baseline));
  });

  it('resumes from a checkpoint in each phase with exactly the uninterrupted result and weights', async () => {
    const states = baseline.checkpoints.map((b) => decodeCheckpoint(b).state);
    const points = [
      states.findIndex((s) => s.phase === 'search'),
      states.findIndex((s) => s.phase === 'hp-search' && s.current !== null),
      states.findIndex((s) => s.phase === 'retrain' && s.nextEpoch === 1),
    ];
    expect(points.every((p) => p >= 0)).toBe(true);
    for (const n of points) {
      const before = tf.memory().numTensors;
      // Stop after checkpoint n: the run rejects at the next step boundary, holding no tensors.
      const stopped = record(config, data, 7, { abortAfterCheckpoint: n + 1 });
      await expect(stopped).rejects.toBeInstanceOf(RunCancelledError);
      expect(tf.memory().numTensors).toBe(before);
      const checkpoint = decodeCheckpoint(baseline.checkpoints[n]!);
      const resumed = await record(config, data, 7, { resume: checkpoint });
      expect(resumed.events[0]).toMatchObject({ type: 'run-start', resumedFrom: { phase: checkpoint.state.phase } });
      expect(resumed.result).toEqual({ ...baseline.result, wallMs: resumed.result.wallMs });
      expect(finalWeights(resumed)).toEqual(finalWeights(baseline));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses a checkpoint of another configuration or seed, but not of another checkpoint interval', async () => {
    const checkpoint = decodeCheckpoint(baseline.checkpoints.at(-1)!);
    const sparser = await record(resolveConfig('smoke', { checkpointEvery: 5 }), data, 7, { resume: checkpoint });
    expect(sparser.result).toEqual({ ...baseline.result, wallMs: sparser.result.wallMs });
    const other = resolveConfig('smoke', { retrain: { epochs: 4 } });
    await expect(record(other, data, 7, { resume: checkpoint })).rejects.toThrow(/different configuration/);
    await expect(record(config, data, 9, { resume: checkpoint })).rejects.toThrow(/seed 7, not 9/);
  });
});

describe('runDash on the other task families and data paths', () => {
  it('dense prediction: relative L2 after undoing the target normalisation', async () => {
    const data = field2d(2);
    const before = tf.memory().numTensors;
    const { result } = await record(resolveConfig('smoke'), data, 3);
    expect(result.metric).toMatchObject({ name: 'relative-l2', direction: 'minimize' });
    expect(result.metric.value).toBeGreaterThan(0);
    expect(result.metric.value).toBeLessThan(1);
    expect(result.spec.backbone).toBe('wrn-dense');
    expect(tf.memory().numTensors).toBe(before);
    disposeDataset(data);
  });

  it('sequences: 1-D ResNet, causal retraining convs, 1 - macro F1', async () => {
    const data = waves1d(3);
    const { result } = await record(resolveConfig('smoke', { search: { grid: { kernels: [3, 7], dilations: [1, 3] } } }), data, 4);
    expect(result.metric.name).toBe('one-minus-macro-f1');
    expect(result.metric.value).toBeGreaterThanOrEqual(0);
    expect(result.metric.value).toBeLessThanOrEqual(1);
    expect(result.spec).toMatchObject({ backbone: 'resnet1d', padding: 'causal', baseChannels: 4 });
    expect(result.spec.layers).toHaveLength(9);
    disposeDataset(data);
  });

  it('streams every split through a batch reader and holds out validation when the dataset has none', async () => {
    const data = stripes2dStreamed(5);
    const { result, events } = await record(resolveConfig('smoke', { limits: { train: null, validation: null, test: null } }), data, 6);
    const start = events[0];
    expect(start?.type === 'run-start' && start.samples).toEqual({ train: 72, validation: 8, test: 24 });
    expect(result.metric.name).toBe('error');
  });

  it('cancels at a step boundary when the signal fires', async () => {
    const data = stripes2d(4);
    const controller = new AbortController();
    const before = tf.memory().numTensors;
    const run = runDash(resolveConfig('smoke'), data, 1, {
      onEvent: (e) => {
        if (e.type === 'phase-start' && e.phase === 'search') controller.abort();
      },
      saveCheckpoint: () => undefined,
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(RunCancelledError);
    expect(tf.memory().numTensors).toBe(before);
    disposeDataset(data);
  });
});
