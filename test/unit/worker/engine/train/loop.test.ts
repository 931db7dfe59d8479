import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { penaltyFieldSize, SeededRandom, uniformSearchSpaces } from '../../../../../src/shared/engine/index.ts';
import { buildSupernet } from '../../../../../src/worker/engine/backbones/build.ts';
import { variablesWithRole } from '../../../../../src/worker/engine/backbones/network.ts';
import { splitReader } from '../../../../../src/worker/engine/data/dataset.ts';
import { shareSteps, type EpochShare } from '../../../../../src/worker/engine/data/batches.ts';
import { taskLoss } from '../../../../../src/worker/engine/train/losses.ts';
import { evaluate, trainEpoch } from '../../../../../src/worker/engine/train/loop.ts';
import { SgdOptimizer } from '../../../../../src/worker/engine/train/sgd.ts';
import { useTestBackend } from './test-backend.ts';
import { waves1d, disposeDataset } from '../search/synthetic-tasks.ts';

beforeAll(useTestBackend);

function setup(seed: number) {
  const data = waves1d(seed, { train: 40, validation: 8, test: 8 });
  const reader = splitReader(data.train, data.task, 'train');
  const net = buildSupernet({ backbone: 'resnet1d', inChannels: 1, outputs: 4, widthFactor: 1, baseChannels: 4 }, uniformSearchSpaces({ kernels: [3, 5], dilations: [1, 2] }, 9), { temperature: 1 }, new SeededRandom(seed));
  const weights = variablesWithRole(net, 'weight');
  const alphas = variablesWithRole(net, 'alpha');
  const lrAlpha = 0.05;
  const optimizer = new SgdOptimizer([{ lr: 0.1, parameters: weights }, { lr: lrAlpha, parameters: alphas }], { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
  const epoch = (share: number | EpochShare, rng: number) =>
    trainEpoch({
      net,
      reader,
      loss: taskLoss('classification', undefined),
      optimizer,
      trainable: [...weights, ...alphas],
      batchSize: 5,
      share: typeof share === 'number' ? { fraction: share } : share,
      lrFactor: 1,
      dropout: 0,
      clipNorm: 1,
      alphaGradient: { scale: 100, penalty: 1e-5, densePrediction: false },
      shuffleRng: new SeededRandom(rng),
      forwardRng: new SeededRandom(rng + 1),
    });
  const dispose = (): void => {
    optimizer.dispose();
    net.dispose();
    disposeDataset(data);
  };
  return { data, reader, net, alphas, lrAlpha, epoch, dispose };
}

describe('trainEpoch (supernet search step)', () => {
  it('uses the first ceil(fraction * batches) shuffled batches', async () => {
    const s = setup(1);
    expect(shareSteps(40, 5, { fraction: 0.2 })).toBe(2);
    const outcome = await s.epoch(0.2, 3);
    expect(outcome.steps).toBe(2);
    expect(outcome.diverged).toBe(false);
    expect(Number.isFinite(outcome.meanLoss)).toBe(true);
    s.dispose();
  });

  it('takes exactly the given number of steps, from successive shuffles when one shuffle has too few batches', async () => {
    const s = setup(1);
    const outcome = await s.epoch({ steps: 11 }, 3);
    expect(outcome.steps).toBe(11);
    expect(outcome.samples).toBe(55);
    s.dispose();
  });

  it("rescales every layer's alpha gradient to the same norm before the common clip, plus the field-size penalty", async () => {
    const s = setup(2);
    const before = s.net.searchableLayers.map((l) => Array.from(l.alpha!.dataSync()));
    await s.epoch(1 / 8, 5); // exactly one step
    // First Nesterov step: buf = g, d = g + 0.9 g, so alpha1 = alpha0 - lr * 1.9 * c * (g_hat + 1e-5 f) - lr * 1.9 * wd * alpha0 ... with
    // the clip factor c applied to the gradient before weight decay: d = 1.9 (c (g_hat + 1e-5 f) + wd alpha0).
    const rescaledNorms = s.net.searchableLayers.map((l, i) => {
      const a0 = before[i]!;
      const a1 = Array.from(l.alpha!.dataSync());
      const f = l.patterns.map((p) => penaltyFieldSize(p, false));
      const d = a1.map((v, j) => (a0[j]! - v) / (s.lrAlpha * 1.9) - 5e-4 * a0[j]!); // = c (g_hat + 1e-5 f)
      return { d, f };
    });
    // c is common to all layers: solve it from layer 0 using ||g_hat|| = 0.01, then check the others.
    const solveC = ({ d, f }: { d: number[]; f: number[] }): number => {
      // ||d / c - 1e-5 f|| = 0.01 -> find c by bisection on (0, 1].
      let lo = 1e-6;
      let hi = 1;
      const err = (c: number): number => Math.hypot(...d.map((x, j) => x / c - 1e-5 * f[j]!)) - 0.01;
      for (let k = 0; k < 60; k++) {
        const mid = (lo + hi) / 2;
        if (err(mid) > 0) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const cs = rescaledNorms.map(solveC);
    expect(cs[0]!).toBeGreaterThan(0);
    expect(cs[0]!).toBeLessThanOrEqual(1);
    for (const c of cs) expect(c).toBeCloseTo(cs[0]!, 3);
    s.dispose();
  });

  it('is deterministic for the same streams and leaves no tensors behind', async () => {
    const run = async (): Promise<number[]> => {
      const s = setup(3);
      await s.epoch(0.5, 7);
      const out = s.alphas.flatMap((a) => Array.from(a.variable.dataSync()));
      s.dispose();
      return out;
    };
    const first = await run();
    const before = tf.memory().numTensors;
    expect(await run()).toEqual(first);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('evaluate scores the whole split in evaluation mode without touching the running statistics', async () => {
    const s = setup(4);
    const stats = variablesWithRole(s.net, 'state').map((v) => Array.from(v.variable.dataSync()));
    const value = await evaluate({ net: s.net, reader: s.reader, batchSize: 7, metric: 'error', rng: new SeededRandom(1) });
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(100);
    expect(Math.round((value / 100) * 40 * 1e6) / 1e6 % 1).toBe(0); // a whole number of the 40 samples
    expect(variablesWithRole(s.net, 'state').map((v) => Array.from(v.variable.dataSync()))).toEqual(stats);
    s.dispose();
  });
});
