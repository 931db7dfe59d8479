import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { architectureCost } from '../../../../../src/worker/engine/arch/cost.ts';
import { SeededRandom, uniformSearchSpaces, type ArchitectureSpec } from '../../../../../src/shared/engine/index.ts';
import { buildNetwork, buildSupernet } from '../../../../../src/worker/engine/backbones/build.ts';
import { variablesWithRole, type Network } from '../../../../../src/worker/engine/backbones/network.ts';
import { crossEntropy } from '../../../../../src/worker/engine/train/losses.ts';
import { SgdOptimizer } from '../../../../../src/worker/engine/train/sgd.ts';
import { useTestBackend } from '../train/test-backend.ts';

beforeAll(useTestBackend);

function spec(backbone: ArchitectureSpec['backbone'], overrides: Partial<ArchitectureSpec> = {}): ArchitectureSpec {
  const n = backbone === 'resnet1d' ? 9 : 13;
  const base: ArchitectureSpec =
    backbone === 'resnet1d'
      ? { backbone, rank: 1, inChannels: 1, outputs: 4, baseChannels: 4, padding: 'causal', layers: [] }
      : { backbone, rank: 2, inChannels: backbone === 'wrn' ? 1 : 3, outputs: backbone === 'wrn' ? 3 : 1, widthFactor: 1, padding: 'same', layers: [] };
  const choices = [
    { kernel: 3, dilation: 1 },
    { kernel: 5, dilation: 2 },
    { kernel: 3, dilation: 3 },
  ];
  return { ...base, layers: Array.from({ length: n }, (_, layer) => ({ layer, ...choices[layer % 3]! })), ...overrides };
}

function weightCount(net: Network): number {
  return variablesWithRole(net, 'weight').reduce((s, v) => s + v.variable.size, 0);
}

function input(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(new SeededRandom(seed).normalArray(shape.reduce((a, b) => a * b, 1)), shape);
}

describe('discrete networks from a spec', () => {
  for (const [backbone, inShape, outShape] of [
    ['wrn', [2, 8, 10, 1], [2, 3]],
    ['wrn-dense', [2, 6, 6, 3], [2, 6, 6, 1]],
    ['resnet1d', [2, 32, 1], [2, 4]],
  ] as const) {
    it(`${backbone}: x=[${inShape.join(',')}] -> [${outShape.join(',')}], parameters as architectureCost counts them`, () => {
      const s = spec(backbone);
      const net = buildNetwork(s, new SeededRandom(1));
      const x = input([...inShape], 2);
      const y = tf.tidy(() => net.forward(x, { training: false, dropout: 0, rng: new SeededRandom(3) }));
      expect(y.shape).toEqual([...outShape]);
      expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
      expect(weightCount(net)).toBe(architectureCost(s, inShape.slice(1, -1)).parameters);
      expect(net.searchableLayers.map((l) => l.patterns[0])).toEqual(s.layers.map((l) => ({ kernel: l.kernel, dilation: l.dilation })));
      y.dispose();
      x.dispose();
      net.dispose();
    });
  }

  it('the same seed builds the same weights; another seed different ones', () => {
    const a = buildNetwork(spec('wrn'), new SeededRandom(5));
    const b = buildNetwork(spec('wrn'), new SeededRandom(5));
    const c = buildNetwork(spec('wrn'), new SeededRandom(6));
    const values = (n: Network): number[] => n.variables.flatMap((v) => Array.from(v.variable.dataSync()));
    expect(values(a)).toEqual(values(b));
    expect(values(a)).not.toEqual(values(c));
    expect(a.variables.map((v) => v.name)).toEqual(b.variables.map((v) => v.name));
    [a, b, c].forEach((n) => n.dispose());
  });

  it('xavier-initialised convs with zero biases, running stats as state', () => {
    const net = buildNetwork(spec('wrn'), new SeededRandom(7));
    const stem = net.variables.find((v) => v.name === 'stem.w.k3d1')!;
    const bound = Math.SQRT2 * Math.sqrt(6 / (9 * 1 + 9 * 16));
    expect(Math.max(...Array.from(stem.variable.dataSync()).map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Array.from(net.variables.find((v) => v.name === 'stem.b')!.variable.dataSync()).every((b) => b === 0)).toBe(true);
    expect(variablesWithRole(net, 'state').every((v) => /running_(mean|var)$/.test(v.name))).toBe(true);
    net.dispose();
  });
});

describe('supernets', () => {
  const spaces2d = uniformSearchSpaces({ kernels: [3, 5], dilations: [1, 2] }, 13);

  it('WRN supernet: 13 layers with alphas over their patterns, depthwise exactly where Cin = Cout', () => {
    const net = buildSupernet({ backbone: 'wrn', inChannels: 1, outputs: 3, widthFactor: 1, baseChannels: 4 }, spaces2d, { temperature: 1 }, new SeededRandom(1));
    expect(net.searchableLayers).toHaveLength(13);
    expect(variablesWithRole(net, 'alpha')).toHaveLength(13);
    for (const l of net.searchableLayers) {
      expect(l.alpha!.shape).toEqual([4]);
      expect(l.depthwise).toBe(l.inChannels === l.outChannels);
    }
    // stem 1->16 dense; stage2 conv1 16->32 dense; its conv2 32->32 depthwise with stride 2
    expect(net.searchableLayers[0]!.depthwise).toBe(false);
    expect(net.searchableLayers[5]!.depthwise).toBe(false);
    expect(net.searchableLayers[6]).toMatchObject({ depthwise: true, stride: 2 });
    net.dispose();
  });

  it('a training step reaches every weight and alpha and leaves tf.memory().numTensors unchanged', () => {
    const net = buildSupernet({ backbone: 'resnet1d', inChannels: 1, outputs: 4, widthFactor: 1, baseChannels: 4 }, uniformSearchSpaces({ kernels: [3, 5], dilations: [1, 3] }, 9), { temperature: 1 }, new SeededRandom(2));
    const trainable = [...variablesWithRole(net, 'weight'), ...variablesWithRole(net, 'alpha')];
    const opt = new SgdOptimizer([{ lr: 0.1, parameters: trainable }], { momentum: 0.9, weightDecay: 5e-4, nesterov: true });
    const x = input([4, 32, 1], 3);
    const y = tf.tensor1d([0, 1, 2, 3], 'int32');
    const rng = new SeededRandom(4);
    const step = (): void =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => crossEntropy(net.forward(x, { training: true, dropout: 0.1, rng }), y), trainable.map((v) => v.variable));
        expect(Object.keys(grads)).toHaveLength(trainable.length);
        const names = new Map(trainable.map((v) => [v.variable.name, v.name]));
        opt.step(new Map(Object.entries(grads).map(([k, g]) => [names.get(k)!, g])));
      });
    step(); // creates the momentum buffers
    const before = tf.memory().numTensors;
    const alphaBefore = Array.from(net.searchableLayers[4]!.alpha!.dataSync());
    step();
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(net.searchableLayers[4]!.alpha!.dataSync())).not.toEqual(alphaBefore);
    opt.dispose();
    x.dispose();
    y.dispose();
    net.dispose();
  });

  it('supernet forward is deterministic given the stream, and draws fresh Gumbel noise per pass', () => {
    const net = buildSupernet({ backbone: 'wrn-dense', inChannels: 3, outputs: 1, widthFactor: 1, baseChannels: 4 }, spaces2d, { temperature: 1 }, new SeededRandom(8));
    const x = input([1, 5, 5, 3], 9);
    const run = (rng: SeededRandom): number[] => tf.tidy(() => Array.from(net.forward(x, { training: false, dropout: 0, rng }).dataSync()));
    const r = new SeededRandom(10);
    const first = run(r);
    const second = run(r);
    expect(run(new SeededRandom(10))).toEqual(first);
    expect(second).not.toEqual(first);
    x.dispose();
    net.dispose();
  });

  it('refuses a wrong number of candidate lists or an empty one', () => {
    const shape = { backbone: 'wrn', inChannels: 1, outputs: 3, widthFactor: 1, baseChannels: 4 } as const;
    expect(() => buildSupernet(shape, spaces2d.slice(1), { temperature: 1 }, new SeededRandom(1))).toThrow(/13 searchable layers, got 12/);
    const empty = spaces2d.map((s, i) => (i === 4 ? [] : s));
    expect(() => buildSupernet(shape, empty, { temperature: 1 }, new SeededRandom(1))).toThrow(/layer 4 has no candidate/);
  });
});
