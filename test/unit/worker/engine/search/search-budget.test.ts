/**
 * The search budget's units (docs/ALGORITHM.md section 13): a weight-only warm-up before alpha learns, epochs of a
 * fixed number of steps, and P-DASH rounds that each run the search's schedule in miniature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint, resolveConfig, type EngineEvent } from '../../../../../src/shared/engine/index.ts';
import { recordRun } from './run-recorder.ts';
import { disposeDataset, stripes2d } from './synthetic-tasks.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

const alphaAt = (events: EngineEvent[], round: number | null, epoch: number): number[][] => {
  const e = events.find((x) => x.type === 'alpha' && x.round === round && x.epoch === epoch);
  if (e === undefined || e.type !== 'alpha') throw new Error(`no alpha snapshot for round ${round} epoch ${epoch}`);
  return e.layers.map((l) => l.alpha);
};
const epochsOf = (events: EngineEvent[], round: number | null) => events.filter((e) => e.type === 'epoch' && e.phase === 'search' && e.round === round) as Extract<EngineEvent, { type: 'epoch' }>[];

describe('search budget', () => {
  const data = stripes2d(3);
  afterAll(() => disposeDataset(data));

  it('keeps alpha at its initialisation through the warm-up, whatever its learning rate, and trains it after', async () => {
    const slow = await recordRun('dash', resolveConfig('smoke', { search: { epochs: 3, warmupEpochs: 2, lrAlpha: 0.05 } }), data, 4);
    const fast = await recordRun('dash', resolveConfig('smoke', { search: { epochs: 3, warmupEpochs: 2, lrAlpha: 0.5 } }), data, 4);
    expect(alphaAt(slow.events, null, 1)).toEqual(alphaAt(slow.events, null, 0));
    expect(alphaAt(fast.events, null, 0)).toEqual(alphaAt(slow.events, null, 0));
    expect(alphaAt(fast.events, null, 1)).toEqual(alphaAt(slow.events, null, 1));
    // The weights did train in the warm-up (the same way in both runs), and alpha moves once it ends.
    expect(epochsOf(fast.events, null).slice(0, 2).map((e) => e.trainLoss)).toEqual(epochsOf(slow.events, null).slice(0, 2).map((e) => e.trainLoss));
    expect(alphaAt(slow.events, null, 2)).not.toEqual(alphaAt(slow.events, null, 1));
    expect(alphaAt(fast.events, null, 2)).not.toEqual(alphaAt(slow.events, null, 2));
  });

  it('resumes from the checkpoint after the warm-up with exactly the uninterrupted result', async () => {
    const config = resolveConfig('smoke', { search: { epochs: 3, warmupEpochs: 1, stepsPerEpoch: 4 } });
    const baseline = await recordRun('dash', config, data, 5);
    const afterWarmup = baseline.checkpoints.map(decodeCheckpoint).findIndex((c) => c.state.phase === 'search' && c.state.nextEpoch === 1);
    expect(afterWarmup).toBeGreaterThanOrEqual(0);
    const resumed = await recordRun('dash', config, data, 5, { resume: decodeCheckpoint(baseline.checkpoints[afterWarmup]!) });
    expect(resumed.result).toEqual({ ...baseline.result, wallMs: resumed.result.wallMs });
    expect(alphaAt(resumed.events, null, 2)).toEqual(alphaAt(baseline.events, null, 2));
  });

  it('refuses a warm-up that leaves alpha no epoch to learn in, but not a search of 0 epochs', () => {
    expect(() => resolveConfig('smoke', { search: { epochs: 2, warmupEpochs: 2 } })).toThrow(/search.warmupEpochs \(2\) must be less than search.epochs \(2\)/);
    expect(resolveConfig('quick', { search: { epochs: 0 } }).search).toMatchObject({ epochs: 0, warmupEpochs: 1 });
  });

  it('runs epochs of exactly stepsPerEpoch steps, wrapping to a new shuffle, and counts their FLOPs', async () => {
    // smoke: 48 train samples in batches of 8 = 6 batches per shuffle; 9 steps take one shuffle and 3 batches of the next.
    const { events } = await recordRun('dash', resolveConfig('smoke', { search: { epochs: 2, stepsPerEpoch: 9 } }), data, 4);
    const start = events.find((e) => e.type === 'phase-start' && e.phase === 'search');
    expect(start).toMatchObject({ stepsPerEpoch: 9, totalSteps: 18 });
    expect(epochsOf(events, null).map((e) => e.steps)).toEqual([9, 9]);
    const searchEnd = (ev: EngineEvent[]) => ev.find((e) => e.type === 'phase-end' && e.phase === 'search') as Extract<EngineEvent, { type: 'phase-end' }>;
    expect(searchEnd(events)).toMatchObject({ steps: 18 });
    // FLOPs follow the samples trained on: 9 steps = 48 + 3 x 8 = 72 samples per epoch, one shuffle (6 steps) 48.
    const oneShuffle = await recordRun('dash', resolveConfig('smoke', { search: { epochs: 2, stepsPerEpoch: 6 } }), data, 4);
    expect(searchEnd(events).flops / searchEnd(oneShuffle.events).flops).toBeCloseTo(72 / 48, 12);
  });

  it("puts P-DASH's warm-up in round 1 only and runs the search's milestones scaled into every round", async () => {
    // search: 5 epochs, 1 of them warm-up, milestone at 3 (lr x 0.2 from epoch 3); rounds of 2 alpha epochs:
    // round 1 runs 3 epochs (milestone 3 * 3/5 -> 2), round 2 runs 2 (milestone 3 * 2/5 -> 1).
    const settings = { search: { epochs: 5, warmupEpochs: 1, milestones: [3], lrWeights: 0.1 }, pdash: { roundEpochs: 2 } };
    const { events } = await recordRun('pdash', resolveConfig('smoke', settings), data, 4);
    const faster = await recordRun('pdash', resolveConfig('smoke', { ...settings, search: { ...settings.search, lrAlpha: 0.5 } }), data, 4);
    expect(epochsOf(events, 1).map((e) => e.lr)).toEqual([0.1, 0.1, 0.1 * 0.2].map((x) => expect.closeTo(x, 12)));
    expect(epochsOf(events, 2).map((e) => e.lr)).toEqual([0.1, 0.1 * 0.2].map((x) => expect.closeTo(x, 12)));
    // Round 1's warm-up epoch leaves alpha where it starts (whatever alpha's learning rate); then it learns.
    expect(alphaAt(faster.events, 1, 0)).toEqual(alphaAt(events, 1, 0));
    expect(alphaAt(faster.events, 1, 1)).not.toEqual(alphaAt(events, 1, 1));
    // Round 2 has no warm-up: its first epoch already moves alpha differently at the two learning rates.
    expect(alphaAt(faster.events, 2, 0)).not.toEqual(alphaAt(events, 2, 0));
  });
});
