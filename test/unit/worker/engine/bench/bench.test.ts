import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MIXTURE_CANDIDATES,
  referenceLayers,
  runMixtureBench,
  runStepBench,
  selectLayers,
  type MixtureLayerCase,
} from '../../../../../src/worker/engine/bench/index.ts';
import { MIXTURE_METHODS, patternSpace, wrnBlocks } from '../../../../../src/shared/engine/index.ts';
import { setupNodeRuntime } from '../../../../../src/worker/node-runtime.ts';

beforeAll(async () => {
  await setupNodeRuntime({ backend: 'cpu' });
});

const tiny = (name: string, rank: 1 | 2, sampleShape: number[], cout: number, stride: number, depthwise: boolean): MixtureLayerCase => ({
  name,
  reference: 'custom',
  sampleShape,
  config: { rank, inChannels: sampleShape.at(-1)!, outChannels: cout, stride, patterns: patternSpace([3, 5], [1, 3]), depthwise, bias: true },
  slots: 1,
  defaultBatch: 2,
});

const layers = [
  tiny('tiny 2-D dense 2->3 @6x7', 2, [6, 7, 2], 3, 1, false),
  tiny('tiny 2-D dw 3 s2 @7x9', 2, [7, 9, 3], 3, 2, true),
  tiny('tiny 1-D dense 2->2 s2 @15', 1, [15, 2], 2, 2, false),
];

describe('runMixtureBench (cpu)', () => {
  it('times naive and every method on each layer, and every method agrees with naive (output and all gradients)', async () => {
    const progress: string[] = [];
    const result = await runMixtureBench({ layers, repeats: 1 }, (m) => progress.push(m));
    expect(result.tfjsBackend).toBe('cpu');
    expect(result.layers.map((l) => l.name)).toEqual(layers.map((l) => l.name));
    expect(progress.filter((m) => m.startsWith('layer '))).toHaveLength(layers.length);
    for (const layer of result.layers) {
      expect(layer.methods.map((m) => m.method)).toEqual([...MIXTURE_CANDIDATES]);
      expect(MIXTURE_METHODS).toContain(layer.pick);
      expect(layer.inputShape[0]).toBe(2);
      for (const m of layer.methods) {
        expect(m.note, `${layer.name} ${m.method}`).toBeNull();
        expect(m.samples).toBe(1);
        expect(m.ms).toBeGreaterThan(0);
        expect(m.gflops).toBeCloseTo(layer.naiveFlops / (m.ms! * 1e6), 6);
        if (m.method === 'naive') {
          expect(m.maxRelDiff).toBeNull();
          continue;
        }
        expect(m.differences).not.toBeNull();
        for (const [part, value] of Object.entries(m.differences!)) expect(value, `${layer.name} ${m.method} ${part}`).toBeLessThan(1e-4);
        expect(m.maxRelDiff).toBe(Math.max(...Object.values(m.differences!).map((v) => v ?? 0)));
      }
      const ms = (name: string): number => layer.methods.find((m) => m.method === name)!.ms!;
      expect(layer.ratio).toBeCloseTo(ms('naive') / ms(layer.pick), 9);
      expect(layer.methods.every((m) => m.ms! >= ms(layer.best!))).toBe(true);
    }
    expect(result.layers[1]!.outputShape).toEqual([2, 4, 5, 3]);
    expect(result.layers[2]!.outputShape).toEqual([2, 8, 2]);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await runMixtureBench({ layers: layers.slice(0, 1), repeats: 1 });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('skips what the cost model puts far above the call limit and says so', async () => {
    const result = await runMixtureBench({ layers: layers.slice(0, 1), repeats: 1, maxCallMs: 1e-9 });
    for (const m of result.layers[0]!.methods) {
      expect(m.ms).toBeNull();
      expect(m.note).toMatch(/^skipped: the cost model estimates/);
    }
    expect(result.layers[0]!.ratio).toBeNull();
  });
});

describe('reference layers', () => {
  it('are the distinct searchable convs of the networks, with the channels the builders use', () => {
    const ninapro = referenceLayers('ninapro');
    const blocks = wrnBlocks(1, false);
    // stem + per block conv1 (in -> out) and conv2 (out -> out, strided): the distinct ones, in order.
    expect(ninapro[0]!.config).toMatchObject({ inChannels: 1, outChannels: 16, stride: 1, depthwise: false });
    expect(ninapro.map((l) => `${l.config.inChannels}->${l.config.outChannels}/${l.config.stride}@${l.sampleShape.slice(0, -1).join('x')}`)).toEqual([
      '1->16/1@16x52',
      '16->16/1@16x52',
      '16->32/1@16x52',
      '32->32/2@16x52',
      '32->32/1@8x26',
      '32->64/1@8x26',
      '64->64/2@8x26',
      '64->64/1@4x13',
    ]);
    expect(ninapro.reduce((s, l) => s + l.slots, 0)).toBe(1 + 2 * blocks.length);
    expect(ninapro[0]!.config.patterns).toHaveLength(16);
    const ecg = referenceLayers('ecg');
    expect(ecg[0]!.sampleShape).toEqual([1000, 1]);
    expect([...new Set(ecg[0]!.config.patterns.map((p) => p.kernel))]).toEqual([3, 7, 11, 15, 19]);
    const large = referenceLayers('ecg-large');
    expect(large[0]!.config.patterns).toHaveLength(49);
    expect(Math.max(...large[0]!.config.patterns.map((p) => p.dilation))).toBe(127);
    expect(referenceLayers('darcy')[0]!.sampleShape).toEqual([85, 85, 3]);
  });

  it('are selected by reference name or by part of a name, and an unmatched term is refused with the list', () => {
    const all = [...referenceLayers('ecg'), ...referenceLayers('ecg-large')];
    expect(selectLayers(all, 'ecg').every((l) => l.reference === 'ecg')).toBe(true);
    expect(selectLayers(all, 'ecg-large').every((l) => l.reference === 'ecg-large')).toBe(true);
    expect(selectLayers(all, 'BLOCK1.conv1').map((l) => l.name)).toEqual(['ecg block1.conv1 1->4 @1000', 'ecg-large block1.conv1 1->4 @1000']);
    expect(() => selectLayers(all, 'ecg,nothing-like-this')).toThrow(/no benchmark layer matches 'nothing-like-this'[\s\S]*ecg block1.conv1/);
  });
});

describe('runStepBench (cpu)', () => {
  it('times a supernet search step against a plain training step on the ECG net', async () => {
    const before = tf.memory().numTensors;
    const result = await runStepBench({ references: ['ecg'], batch: 2, repeats: 1 });
    expect(result).toMatchObject({ tfjsBackend: 'cpu', batch: 2, repeats: 1 });
    const [entry] = result.references;
    expect(entry).toMatchObject({ reference: 'ecg', backbone: 'resnet1d', inputShape: [2, 1000, 1], searchableLayers: 9, kernels: [3, 7, 11, 15, 19], dilations: [1, 3, 7, 15] });
    expect(entry!.plain.patterns).toEqual(['k8d1', 'k5d1', 'k3d1', 'k8d1', 'k5d1', 'k3d1', 'k8d1', 'k5d1', 'k3d1']);
    for (const net of [entry!.supernet, entry!.plain]) {
      expect(net.samples).toBe(1);
      expect(net.ms).toBeGreaterThan(0);
      expect(net.gflops).toBeCloseTo(net.flops / (net.ms * 1e6), 6);
    }
    expect(entry!.supernet.parameters).toBeGreaterThan(entry!.plain.parameters);
    expect(entry!.supernet.flops).toBeGreaterThan(entry!.plain.flops);
    expect(entry!.ratio).toBeCloseTo(entry!.supernet.ms / entry!.plain.ms, 9);
    expect(tf.memory().numTensors).toBe(before);
  }, 20000);

  it('refuses a reference it has no network for', async () => {
    await expect(runStepBench({ references: ['darcy' as 'ecg'] })).rejects.toThrow(/unknown reference 'darcy'/);
  });
});
