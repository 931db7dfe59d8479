import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supernetForwardFlops } from '../../../../../src/worker/engine/arch/cost.ts';
import { decodeCheckpoint, gridPatterns, resolveConfig, uniformSearchSpaces, type EngineEvent } from '../../../../../src/shared/engine/index.ts';
import { runMethod } from '../../../../../src/worker/engine/index.ts';
import { candidateFlops, dashSearchFlops, drawArchitecture, randomCandidateCount } from '../../../../../src/worker/engine/search/random-search.ts';
import { createRunContext } from '../../../../../src/worker/engine/search/run-context.ts';
import { useTestBackend } from '../train/test-backend.ts';
import { eventsOf, finalWeights, recordRun } from './run-recorder.ts';
import { disposeDataset, stripes2d, waves1d } from './synthetic-tasks.ts';

beforeAll(useTestBackend);

function phases(events: readonly EngineEvent[]): string[] {
  return eventsOf(events, 'phase-start').map((e) => e.phase);
}

describe('backbone baseline', () => {
  it('trains the unsearched 3x3 backbone through the same HP search, retraining and test', async () => {
    const data = stripes2d(4);
    const before = tf.memory().numTensors;
    const run = await recordRun('backbone', resolveConfig('smoke'), data, 2);
    expect(tf.memory().numTensors).toBe(before);
    expect(run.events[0]).toMatchObject({ type: 'run-start', algorithm: 'backbone' });
    expect(phases(run.events)).toEqual(['hp-search', 'retrain', 'test']);
    expect(eventsOf(run.events, 'architecture')[0]!.selection).toBe('backbone');
    expect(run.result.spec.layers.every((l) => l.kernel === 3 && l.dilation === 1)).toBe(true);
    // Resuming inside HP search continues without announcing the architecture again.
    const states = run.checkpoints.map((b) => decodeCheckpoint(b).state);
    const resumed = await recordRun('backbone', resolveConfig('smoke'), data, 2, { resume: decodeCheckpoint(run.checkpoints[states.findIndex((s) => s.phase === 'hp-search')]!) });
    expect(eventsOf(resumed.events, 'architecture')).toHaveLength(0);
    expect(resumed.result).toEqual({ ...run.result, wallMs: resumed.result.wallMs });
    disposeDataset(data);
  });

  it("on sequences: the reference ResNet1D's kernels 8, 5, 3 in each block, dilation 1, causal like the retrained searched networks", async () => {
    const data = waves1d(5);
    const { result } = await recordRun('backbone', resolveConfig('smoke'), data, 2);
    expect(result.spec).toMatchObject({ backbone: 'resnet1d', padding: 'causal' });
    expect(result.spec.layers.map((l) => [l.kernel, l.dilation])).toEqual([8, 5, 3, 8, 5, 3, 8, 5, 3].map((k) => [k, 1]));
    disposeDataset(data);
  });
});

describe('random baseline', () => {
  const data = stripes2d(6);
  const config = resolveConfig('smoke', { search: { epochs: 3 } });
  afterAll(() => disposeDataset(data));

  it('draws as many architectures as DASH\'s search compute pays for, from the seed, independent of the count', () => {
    const ctx = createRunContext('random', config, data, 9, { onEvent: () => undefined, saveCheckpoint: () => undefined });
    const budget = dashSearchFlops(ctx);
    const shape = { backbone: 'wrn' as const, inChannels: 1, outputs: 3, widthFactor: 1, baseChannels: 4 };
    // 48 training samples, batches of 8, the first half of them: 24 samples per search epoch.
    expect(budget).toBe(3 * supernetForwardFlops(shape, uniformSearchSpaces(config.search.grid!, 13), [8, 8]) * 24 * 3);
    const count = randomCandidateCount(ctx);
    const costs = Array.from({ length: count + 1 }, (_, i) => candidateFlops(ctx, drawArchitecture(ctx, i)));
    const spent = costs.slice(0, count).reduce((a, b) => a + b, 0);
    expect(count).toBeGreaterThan(1);
    expect(spent).toBeLessThanOrEqual(budget);
    expect(spent + costs[count]!).toBeGreaterThan(budget);
    const patterns = gridPatterns(config.search.grid!);
    const draw = drawArchitecture(ctx, 1);
    expect(draw).toHaveLength(13);
    for (const p of draw) expect(patterns).toContainEqual(p);
    expect(drawArchitecture(ctx, 1)).toEqual(draw);
    expect(drawArchitecture(ctx, 2)).not.toEqual(draw);
    const fixed = createRunContext('random', resolveConfig('smoke', { random: { samples: 4 } }), data, 9, { onEvent: () => undefined, saveCheckpoint: () => undefined });
    expect(randomCandidateCount(fixed)).toBe(4);
  });

  it('trains and scores every candidate, keeps the best on validation, accounts their FLOPs, and resumes between candidates', async () => {
    const before = tf.memory().numTensors;
    const run = await recordRun('random', config, data, 9);
    expect(tf.memory().numTensors).toBe(before);
    const ctx = createRunContext('random', config, data, 9, { onEvent: () => undefined, saveCheckpoint: () => undefined });
    const count = randomCandidateCount(ctx);
    expect(phases(run.events)).toEqual(['search', 'hp-search', 'retrain', 'test']);
    const candidates = eventsOf(run.events, 'random-candidate');
    expect(candidates.map((c) => [c.candidate, c.candidates])).toEqual(Array.from({ length: count }, (_, i) => [i, count]));
    candidates.forEach((c, i) => {
      expect(c.layers).toEqual(drawArchitecture(ctx, i));
      expect(c.flops).toBe(candidateFlops(ctx, c.layers));
    });
    const scored = candidates.filter((c) => c.validation !== null);
    const best = scored.reduce((a, b) => (b.validation!.value < a.validation!.value ? b : a));
    expect(eventsOf(run.events, 'architecture')[0]).toMatchObject({ selection: 'random' });
    expect(run.result.spec.layers.map((l) => ({ kernel: l.kernel, dilation: l.dilation }))).toEqual(best.layers);
    const searchEnd = eventsOf(run.events, 'phase-end').find((e) => e.phase === 'search')!;
    expect(searchEnd.flops).toBe(candidates.reduce((sum, c) => sum + c.flops, 0));
    expect(searchEnd.flops).toBeLessThanOrEqual(dashSearchFlops(ctx));
    // Each candidate's epochs are logged as epochs of the search phase, the candidate as the trial.
    expect(eventsOf(run.events, 'epoch').filter((e) => e.phase === 'search').map((e) => e.trial)).toEqual(candidates.map((c) => c.candidate));

    const states = run.checkpoints.map((b) => decodeCheckpoint(b).state);
    const afterTwo = states.findIndex((s) => s.phase === 'random-search' && s.done.length === 2);
    const resumed = await recordRun('random', config, data, 9, { resume: decodeCheckpoint(run.checkpoints[afterTwo]!) });
    expect(resumed.events[0]).toMatchObject({ resumedFrom: { phase: 'search', trial: 2 } });
    expect(eventsOf(resumed.events, 'random-candidate').map((c) => c.candidate)).toEqual(Array.from({ length: count - 2 }, (_, i) => i + 2));
    expect(resumed.result).toEqual({ ...run.result, wallMs: resumed.result.wallMs });
    expect(finalWeights(resumed)).toEqual(finalWeights(run));
  });

  it('refuses an unknown method', async () => {
    await expect(runMethod('darts' as never, config, data, 1, { onEvent: () => undefined, saveCheckpoint: () => undefined })).rejects.toThrow(/unknown method darts/);
  });
});
