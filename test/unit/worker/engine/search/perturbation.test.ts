import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridPatterns, resolveConfig, SeededRandom, uniformSearchSpaces } from '../../../../../src/shared/engine/index.ts';
import { buildSupernet } from '../../../../../src/worker/engine/backbones/build.ts';
import type { Network } from '../../../../../src/worker/engine/backbones/network.ts';
import { noiseFreeCoefficients, rankByDamage, scoreCandidates } from '../../../../../src/worker/engine/search/perturbation.ts';
import { createRunContext, type RunContext } from '../../../../../src/worker/engine/search/run-context.ts';
import { evaluateWithLoss } from '../../../../../src/worker/engine/train/loop.ts';
import { useTestBackend } from '../train/test-backend.ts';
import { disposeDataset, stripes2d } from './synthetic-tasks.ts';

beforeAll(useTestBackend);

describe('perturbation scores (DARTS-PT)', () => {
  const data = stripes2d(11);
  let ctx: RunContext;
  let net: Network;
  const grid = { kernels: [3, 5], dilations: [1, 2] };

  beforeAll(() => {
    ctx = createRunContext('dash', resolveConfig('smoke'), data, 3, { onEvent: () => undefined, saveCheckpoint: () => undefined });
    net = buildSupernet(ctx.shape(1), uniformSearchSpaces(grid, 13), { temperature: 1 }, new SeededRandom(5));
    // Make the candidates matter unequally: alphas far from uniform, weights large enough that every candidate moves
    // the logits beyond float32 resolution (DASH's N(0, 0.01^2) init nearly silences 13 layers), and candidate 2 of
    // layer 4 silent (zero weights).
    tf.tidy(() => {
      for (const l of net.searchableLayers) l.alpha!.assign(tf.tensor1d([0.5, -0.3, 1.2, 0.1]));
      for (const v of net.variables) if (v.name.includes('.w.')) v.variable.assign(tf.mul(v.variable, 40));
      const silent = net.variables.find((v) => v.name === `${net.searchableLayers[4]!.name}.w.k5d1`)!;
      silent.variable.assign(tf.zerosLike(silent.variable));
    });
  });

  afterAll(() => {
    net.dispose();
    disposeDataset(data);
  });

  it('zeroes exactly one coefficient of one layer and leaves softmax(alpha) elsewhere', () => {
    const alpha = net.searchableLayers[4]!.alpha!;
    const rng = new SeededRandom(1);
    const plain = tf.tidy(() => Array.from(noiseFreeCoefficients()(4, alpha, rng).dataSync()));
    const zeroed = tf.tidy(() => Array.from(noiseFreeCoefficients({ layer: 4, index: 1 })(4, alpha, rng).dataSync()));
    const other = tf.tidy(() => Array.from(noiseFreeCoefficients({ layer: 3, index: 1 })(4, alpha, rng).dataSync()));
    const softmax = tf.tidy(() => Array.from(tf.softmax(alpha).dataSync()));
    expect(plain).toEqual(softmax);
    expect(other).toEqual(softmax);
    expect(zeroed).toEqual(softmax.map((c, i) => (i === 1 ? 0 : c)));
  });

  it('damage is the validation metric and loss with the candidate removed minus without; a silent candidate does no damage', async () => {
    const before = tf.memory().numTensors;
    const scoring = await scoreCandidates(ctx, net, 'test', [4, 7]);
    expect(tf.memory().numTensors).toBe(before);
    expect(scoring.evaluations).toBe(1 + 4 + 4);
    const [layer4, layer7] = scoring.layers;
    expect(layer4!.layer).toBe(4);
    expect(gridPatterns(grid)[2]).toEqual({ kernel: 5, dilation: 1 });
    expect(layer4!.damage[2]).toBe(0);
    expect(layer4!.lossDamage[2]).toBe(0);
    // Candidates with weights change the loss when removed.
    for (const s of [layer4!, layer7!]) s.lossDamage.forEach((d, j) => (s === layer4 && j === 2 ? undefined : expect(d).not.toBe(0)));
    // Against a direct evaluation.
    const options = { net, reader: ctx.validation, batchSize: 16, metric: ctx.metric, numClasses: 3, rng: new SeededRandom(0) };
    const base = await evaluateWithLoss({ ...options, coefficients: noiseFreeCoefficients() }, ctx.loss);
    const removed = await evaluateWithLoss({ ...options, coefficients: noiseFreeCoefficients({ layer: 7, index: 3 }) }, ctx.loss);
    expect(layer7!.damage[3]).toBeCloseTo(removed.value - base.value, 10);
    expect(layer7!.lossDamage[3]).toBeCloseTo(removed.meanLoss - base.meanLoss, 10);
  });

  it('ranks by metric damage, the loss damage breaking ties', () => {
    expect(rankByDamage({ layer: 0, damage: [0, 6.25, 0, null], lossDamage: [0.1, 0.01, 0.3, null] })).toEqual([1, 2, 0, 3]);
  });
});
