import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supernetForwardFlops } from '../../../../../src/worker/engine/arch/cost.ts';
import { decodeCheckpoint, gridPatterns, resolveConfig, SeededRandom, uniformSearchSpaces, type RunConfig, type EngineEvent } from '../../../../../src/shared/engine/index.ts';
import { buildSupernet } from '../../../../../src/worker/engine/backbones/build.ts';
import { RunCancelledError } from '../../../../../src/worker/engine/index.ts';
import { carrySurvivors } from '../../../../../src/worker/engine/search/pdash.ts';
import { createRunContext } from '../../../../../src/worker/engine/search/run-context.ts';
import { pruneRound } from '../../../../../src/worker/engine/search/selection-phase.ts';
import { useTestBackend } from '../train/test-backend.ts';
import { eventsOf, finalWeights, recordRun, type Recorded } from './run-recorder.ts';
import { disposeDataset, stripes2d } from './synthetic-tasks.ts';

beforeAll(useTestBackend);

const grid = { kernels: [3, 5], dilations: [1, 2] };
const shape = { backbone: 'wrn' as const, inChannels: 1, outputs: 3, widthFactor: 1, baseChannels: 4 };

function phaseOrder(events: readonly EngineEvent[]): string[] {
  return eventsOf(events, 'phase-start').map((e) => (e.round === null ? e.phase : `${e.phase}/r${e.round}`));
}

describe('P-DASH carry-over between rounds', () => {
  it('keeps the best candidates per layer and carries their weights, every other weight and the norm statistics; alphas start afresh', async () => {
    const data = stripes2d(2);
    const events: EngineEvent[] = [];
    const ctx = createRunContext('pdash', resolveConfig('smoke'), data, 1, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
    const before = tf.memory().numTensors;
    const full = buildSupernet(ctx.shape(1), uniformSearchSpaces(grid, 13), { temperature: 1 }, new SeededRandom(1));
    // softmax ranks candidates 1 (k3d2) and 3 (k5d2) first in every layer.
    tf.tidy(() => {
      for (const l of full.searchableLayers) l.alpha!.assign(tf.tensor1d([0.1, 0.9, -0.2, 0.5]));
      for (const v of full.variables) if (v.name.endsWith('running_mean')) v.variable.assign(tf.fill(v.variable.shape, 0.7));
    });
    const pruned = await pruneRound(ctx, full, 1, 2, 2);
    expect(pruned.spaces).toEqual(uniformSearchSpaces({ kernels: [3, 5], dilations: [2] }, 13));
    expect(pruned.carry.some((t) => t.name.endsWith('.alpha') || /\.w\.k[35]d1$/.test(t.name))).toBe(false);
    const next = buildSupernet(ctx.shape(1), pruned.spaces, { temperature: 1 }, new SeededRandom(2));
    carrySurvivors(next, pruned.carry);
    const values = new Map(full.variables.map((v) => [v.name, Array.from(v.variable.dataSync())]));
    for (const v of next.variables) {
      if (v.role === 'alpha') {
        expect(v.variable.shape).toEqual([2]);
        expect(Array.from(v.variable.dataSync())).not.toEqual([0.9, 0.5]);
      } else {
        expect(Array.from(v.variable.dataSync())).toEqual(values.get(v.name));
      }
    }
    const round = eventsOf(events, 'round')[0]!;
    expect(round).toMatchObject({ round: 1, rounds: 2, selection: 'argmax' });
    expect(round.layers[0]!.ranking.map((p) => `k${p.kernel}d${p.dilation}`)).toEqual(['k3d2', 'k5d2', 'k3d1', 'k5d1']);
    expect(round.layers[0]!.pruned).toEqual([{ kernel: 3, dilation: 1 }, { kernel: 5, dilation: 1 }]);
    // A supernet that still holds pruned candidates has weights nothing carries over.
    const unpruned = buildSupernet(ctx.shape(1), uniformSearchSpaces(grid, 13), { temperature: 1 }, new SeededRandom(3));
    expect(() => carrySurvivors(unpruned, pruned.carry)).toThrow(/no carried-over value for stem\.w\.k3d1/);
    for (const n of [full, next, unpruned]) n.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeDataset(data);
  });
});

describe('runMethod pdash on a tiny 2-D task (smoke: 4 -> 2 -> 1 candidates, argmax)', () => {
  const data = stripes2d(1);
  const config: RunConfig = resolveConfig('smoke', { pdash: { roundEpochs: 2 } });
  let baseline: Recorded;
  let tensorsBefore: number;

  beforeAll(async () => {
    tensorsBefore = tf.memory().numTensors;
    baseline = await recordRun('pdash', config, data, 7);
  });
  afterAll(() => disposeDataset(data));

  it('searches two rounds, prunes each layer 4 -> 2 -> 1 by softmax(alpha), and retrains the last round\'s choice', () => {
    const { events, result } = baseline;
    expect(events[0]).toMatchObject({ type: 'run-start', algorithm: 'pdash', resumedFrom: null });
    expect(phaseOrder(events)).toEqual(['search/r1', 'select/r1', 'search/r2', 'select/r2', 'hp-search', 'retrain', 'test']);
    const rounds = eventsOf(events, 'round');
    expect(rounds.map((r) => [r.round, r.rounds, r.selection])).toEqual([
      [1, 2, 'argmax'],
      [2, 2, 'argmax'],
    ]);
    const alphas = eventsOf(events, 'alpha');
    expect(alphas.map((a) => `${a.round}:${a.epoch}`)).toEqual(['1:0', '1:1', '2:0', '2:1']);
    const full = gridPatterns(grid);
    rounds[0]!.layers.forEach((layer, l) => {
      const lastAlpha = alphas[1]!.layers[l]!;
      expect(lastAlpha.patterns).toEqual(full);
      // The ranking is the noise-free softmax of the round's last alpha, best first.
      expect(layer.ranking.map((p) => p.score)).toEqual([...lastAlpha.softmax].sort((a, b) => b - a));
      expect(layer.kept).toHaveLength(2);
      expect(layer.pruned).toHaveLength(2);
      // Round 2 searches exactly the survivors, in the layer's own (kernel-major) order.
      expect(alphas[2]!.layers[l]!.patterns).toEqual(full.filter((p) => layer.kept.some((k) => k.kernel === p.kernel && k.dilation === p.dilation)));
      const final = rounds[1]!.layers[l]!;
      expect(final.ranking).toHaveLength(2);
      expect(final.kept).toEqual([{ kernel: result.spec.layers[l]!.kernel, dilation: result.spec.layers[l]!.dilation }]);
      expect(layer.kept).toContainEqual(final.kept[0]);
    });
    const arch = eventsOf(events, 'architecture')[0]!;
    expect(arch).toMatchObject({ selection: 'argmax', archId: result.archId });
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });

  it('counts each round\'s FLOPs over its own candidates, 3 forward passes per training sample', () => {
    const ends = eventsOf(baseline.events, 'phase-end');
    const flops = (phase: string, round: number | null): number => ends.find((e) => e.phase === phase && e.round === round)!.flops;
    const samplesPerEpoch = 24; // 48 training samples in batches of 8, the first half of the batches
    const round2Spaces = eventsOf(baseline.events, 'round')[0]!.layers.map((l) => l.kept);
    expect(flops('search', 1)).toBe(3 * supernetForwardFlops(shape, uniformSearchSpaces(grid, 13), [8, 8]) * samplesPerEpoch * 2);
    expect(flops('search', 2)).toBe(3 * supernetForwardFlops(shape, round2Spaces, [8, 8]) * samplesPerEpoch * 2);
    expect(flops('search', 2)).toBeLessThan(flops('search', 1));
    expect([flops('select', 1), flops('select', 2)]).toEqual([0, 0]);
    for (const phase of ['hp-search', 'retrain', 'test']) expect(flops(phase, null)).toBeGreaterThan(0);
  });

  it('releases every tensor and gives the same numbers for the same seed', async () => {
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    const again = await recordRun('pdash', config, data, 7);
    expect(again.result).toEqual({ ...baseline.result, wallMs: again.result.wallMs });
    expect(finalWeights(again)).toEqual(finalWeights(baseline));
    expect(eventsOf(again.events, 'round')).toEqual(eventsOf(baseline.events, 'round'));
  });

  it('resumes from a checkpoint in either round or between them with exactly the uninterrupted result', async () => {
    const states = baseline.checkpoints.map((b) => decodeCheckpoint(b).state);
    const at = (round: number, nextEpoch: number): number => states.findIndex((s) => s.phase === 'search' && s.round === round && s.nextEpoch === nextEpoch);
    const points = [at(1, 1), at(2, 0), at(2, 1), states.findIndex((s) => s.phase === 'hp-search' && s.current !== null)];
    expect(points.every((p) => p >= 0)).toBe(true);
    const boundary = decodeCheckpoint(baseline.checkpoints[at(2, 0)]!);
    expect(boundary.tensors.length).toBeGreaterThan(0);
    expect(boundary.tensors.every((t) => t.name.startsWith('carry/'))).toBe(true);
    for (const n of points) {
      const before = tf.memory().numTensors;
      if (n === at(2, 0)) {
        // Interrupted right after the round boundary: the run stops at the next step, holding no tensors.
        await expect(recordRun('pdash', config, data, 7, { abortAfterCheckpoint: n + 1 })).rejects.toBeInstanceOf(RunCancelledError);
        expect(tf.memory().numTensors).toBe(before);
      }
      const checkpoint = decodeCheckpoint(baseline.checkpoints[n]!);
      const resumed = await recordRun('pdash', config, data, 7, { resume: checkpoint });
      expect(resumed.events[0]).toMatchObject({ type: 'run-start', resumedFrom: { phase: checkpoint.state.phase } });
      expect(resumed.result).toEqual({ ...baseline.result, wallMs: resumed.result.wallMs });
      expect(finalWeights(resumed)).toEqual(finalWeights(baseline));
      expect(tf.memory().numTensors).toBe(before);
    }
  });

  it('refuses a P-DASH checkpoint for a DASH run, and a schedule the space cannot take', async () => {
    const checkpoint = decodeCheckpoint(baseline.checkpoints[0]!);
    await expect(recordRun('dash', config, data, 7, { resume: checkpoint })).rejects.toThrow(/different configuration, method/);
    await expect(recordRun('pdash', resolveConfig('smoke', { pdash: { rounds: 3 } }), data, 7)).rejects.toThrow(/leaves 1 for round 3 of 3/);
    await expect(recordRun('pdash', resolveConfig('smoke', { pdash: { schedule: [16, 4, 1] } }), data, 7)).rejects.toThrow(/starts at the search space's 4 patterns/);
  });
});

describe('perturbation-based selection in P-DASH and DASH (smoke)', () => {
  const data = stripes2d(3);
  const config = resolveConfig('smoke', { selection: 'perturbation' });

  it('P-DASH prunes by the damage of removing each candidate, fixes layers one by one, and resumes mid-selection', async () => {
    const before = tf.memory().numTensors;
    const run = await recordRun('pdash', config, data, 5);
    expect(tf.memory().numTensors).toBe(before);
    const rounds = eventsOf(run.events, 'round');
    expect(rounds.map((r) => r.selection)).toEqual(['perturbation', 'perturbation']);
    for (const layer of rounds[0]!.layers) {
      const scores = layer.ranking.map((p) => p.score ?? Number.NEGATIVE_INFINITY);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      expect(layer.kept).toHaveLength(2);
    }
    expect(rounds[1]!.layers.map((l) => l.kept[0])).toEqual(run.result.spec.layers.map((l) => ({ kernel: l.kernel, dilation: l.dilation })));
    expect(eventsOf(run.events, 'architecture')[0]!.selection).toBe('perturbation');
    const selectEnds = eventsOf(run.events, 'phase-end').filter((e) => e.phase === 'select');
    // Round 1: 1 + 13 x 4 validation passes; round 2: scoring plus fine-tuning after each of 12 layers (3 steps each).
    expect(selectEnds.map((e) => e.steps)).toEqual([0, 12 * 3]);
    expect(selectEnds.every((e) => e.flops > 0)).toBe(true);

    const states = run.checkpoints.map((b) => decodeCheckpoint(b).state);
    const mid = states.findIndex((s) => s.phase === 'select' && s.next === 6);
    expect(mid).toBeGreaterThanOrEqual(0);
    const checkpoint = decodeCheckpoint(run.checkpoints[mid]!);
    const resumed = await recordRun('pdash', config, data, 5, { resume: checkpoint });
    expect(resumed.events[0]).toMatchObject({ resumedFrom: { phase: 'select', round: 2, epoch: 6 } });
    expect(resumed.result).toEqual({ ...run.result, wallMs: resumed.result.wallMs });
    expect(eventsOf(resumed.events, 'round')).toEqual([rounds[1]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('DASH selects by perturbation in a seeded layer order and resumes mid-selection', async () => {
    const run = await recordRun('dash', config, data, 6);
    const round = eventsOf(run.events, 'round');
    expect(round).toHaveLength(1);
    expect(round[0]).toMatchObject({ round: null, rounds: 1, selection: 'perturbation' });
    const selects = run.checkpoints.map((b) => decodeCheckpoint(b).state).filter((s) => s.phase === 'select');
    expect(selects.map((s) => s.next)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const order = selects[0]!.phase === 'select' ? selects[0]!.order : [];
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 13 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 13 }, (_, i) => i));
    const states = run.checkpoints.map((b) => decodeCheckpoint(b).state);
    const checkpoint = decodeCheckpoint(run.checkpoints[states.findIndex((s) => s.phase === 'select' && s.next === 3)]!);
    const resumed = await recordRun('dash', config, data, 6, { resume: checkpoint });
    expect(resumed.result).toEqual({ ...run.result, wallMs: resumed.result.wallMs });
    expect(eventsOf(resumed.events, 'round')).toEqual(round);
    // checkpointEvery 0: only phase boundaries, none while layers are being fixed; the numbers do not change.
    const sparse = await recordRun('dash', resolveConfig('smoke', { selection: 'perturbation', checkpointEvery: 0 }), data, 6);
    expect(sparse.checkpoints.map((b) => decodeCheckpoint(b).state.phase)).toEqual(['hp-search', 'retrain']);
    expect(sparse.result).toEqual({ ...run.result, wallMs: sparse.result.wallMs });
    disposeDataset(data);
  });
});
