/**
 * The TF.js layers export against the engine's own network: same spec, same values, same input -> the same
 * outputs, for each backbone and for the cases where TF's conventions differ from the engine's (strided
 * 'same' convs on odd and even sizes, strided dilated convs, causal 1-D convs, a per-pixel head).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { networkPlan, planVariables } from '../../../../../src/main/core/export/architecture/network-plan.ts';
import { layersTopology, tfjsLayersModel } from '../../../../../src/main/core/export/architecture/tfjs-model.ts';
import { SeededRandom, type ArchitectureSpec, type CheckpointTensor } from '../../../../../src/shared/engine/index.ts';
import { buildNetwork } from '../../../../../src/worker/engine/backbones/build.ts';
import type { Network } from '../../../../../src/worker/engine/backbones/network.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layers = (count: number, kernels: number[], dilations: number[]) => Array.from({ length: count }, (_, layer) => ({ layer, kernel: kernels[layer % kernels.length]!, dilation: dilations[layer % dilations.length]! }));

/** A network whose every variable (running statistics included) holds seeded random values, and those values by name. */
function randomizedNetwork(spec: ArchitectureSpec, seed: number): { net: Network; values: Map<string, CheckpointTensor> } {
  const net = buildNetwork(spec, new SeededRandom(seed));
  const rng = new SeededRandom(seed + 1);
  for (const v of net.variables) {
    const variance = v.name.endsWith('running_var');
    tf.tidy(() => v.variable.assign(tf.tensor(rng.uniformArray(v.variable.size, variance ? 0.5 : -0.5, variance ? 1.5 : 0.5), v.variable.shape)));
  }
  const values = new Map(net.variables.map((v) => [v.name, { name: v.name, dtype: 'float32' as const, shape: [...v.variable.shape], data: Float32Array.from(v.variable.dataSync()) }]));
  return { net, values };
}

async function loadExport(files: { modelJson: string; weightsBin: Uint8Array }): Promise<tfl.LayersModel> {
  const parsed = JSON.parse(files.modelJson) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> };
  const weightData = files.weightsBin.buffer.slice(files.weightsBin.byteOffset, files.weightsBin.byteOffset + files.weightsBin.byteLength) as ArrayBuffer;
  return tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: parsed.modelTopology, weightSpecs: parsed.weightsManifest[0]!.weights, weightData }));
}

/** Largest |a - b| relative to the largest |b|: random weights make outputs of any magnitude. */
function maxRelativeDifference(a: Float32Array | Int32Array | Uint8Array, b: Float32Array | Int32Array | Uint8Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return max / scale;
}

const CASES: Array<{ title: string; spec: ArchitectureSpec; sample: number[] }> = [
  {
    title: 'WRN-16-1, odd 11x13 input: strided convs with dilation 1, 2, 3',
    spec: { backbone: 'wrn', rank: 2, inChannels: 3, outputs: 5, widthFactor: 1, padding: 'same', layers: layers(13, [3, 5, 3], [1, 2, 3]) },
    sample: [11, 13, 3],
  },
  {
    title: 'WRN-16-2, even 16x12 input, the NinaPro-like grid of kernels',
    spec: { backbone: 'wrn', rank: 2, inChannels: 1, outputs: 18, widthFactor: 2, padding: 'same', layers: layers(13, [5, 3, 7, 9], [3, 1, 1, 2]) },
    sample: [16, 12, 1],
  },
  {
    title: 'dense WRN: strides 1, a per-pixel head',
    spec: { backbone: 'wrn-dense', rank: 2, inChannels: 3, outputs: 1, widthFactor: 1, padding: 'same', layers: layers(13, [3, 5], [1, 3]) },
    sample: [9, 8, 3],
  },
  {
    title: '1-D ResNet, causal convs with large dilations',
    spec: { backbone: 'resnet1d', rank: 1, inChannels: 2, outputs: 4, baseChannels: 4, padding: 'causal', layers: layers(9, [3, 7, 11], [1, 7, 15]) },
    sample: [40, 2],
  },
  {
    title: '1-D ResNet, centred convs',
    spec: { backbone: 'resnet1d', rank: 1, inChannels: 1, outputs: 2, baseChannels: 8, padding: 'same', layers: layers(9, [5, 3], [3, 1]) },
    sample: [33, 1],
  },
];

describe('TF.js layers export', () => {
  for (const c of CASES) {
    it(`${c.title}: loads with tf.loadLayersModel and predicts what the engine's network predicts`, async () => {
      const { net, values } = randomizedNetwork(c.spec, 7);
      try {
        const plan = networkPlan(c.spec, 0.05);
        // The plan names exactly the network's variables: nothing left out, nothing invented.
        expect([...planVariables(plan)].sort()).toEqual(net.variables.map((v) => v.name).sort());
        const files = tfjsLayersModel(plan, c.sample, values, 'exported', { note: 'test' }, 'test');
        expect(JSON.parse(files.modelJson)).toMatchObject({ format: 'layers-model', userDefinedMetadata: { note: 'test' } });
        const model = await loadExport(files);
        const x = tf.tensor(new SeededRandom(3).uniformArray(3 * c.sample.reduce((a, b) => a * b, 1), -2, 2), [3, ...c.sample]);
        const exported = model.predict(x) as tf.Tensor;
        const engine = tf.tidy(() => net.forward(x, { training: false, dropout: 0, rng: new SeededRandom(0) }));
        expect(exported.shape).toEqual(engine.shape);
        expect(maxRelativeDifference(exported.dataSync(), engine.dataSync())).toBeLessThan(1e-5);
        tf.dispose([x, exported, engine]);
        model.dispose();
      } finally {
        net.dispose();
      }
    });
  }

  it('writes a strided dilated conv as explicit padding, a valid conv and a stride-s 1x1 max-pool', () => {
    const spec = CASES[0]!.spec;
    const { topology } = layersTopology(networkPlan(spec, 0), [11, 13, 3], 'm');
    const config = topology.config as { layers: Array<{ class_name: string; name: string; config: Record<string, unknown> }> };
    const byName = new Map(config.layers.map((l) => [l.name, l]));
    // stage2.block1.conv2 is layer 6: kernel 3, dilation 1, stride 2 -> padding then a stride-2 valid conv.
    expect(byName.get('stage2_block1_conv2_pad')!.config.padding).toEqual([[1, 1], [1, 1]]);
    expect(byName.get('stage2_block1_conv2')!.config).toMatchObject({ strides: [2, 2], padding: 'valid', dilation_rate: [1, 1] });
    // stage3.block1.conv2 is layer 10: kernel 5, dilation 2 (extent 9), stride 2 -> stride 1, then subsample.
    expect(byName.get('stage3_block1_conv2_pad')!.config.padding).toEqual([[4, 4], [4, 4]]);
    expect(byName.get('stage3_block1_conv2')!.config).toMatchObject({ strides: [1, 1], padding: 'valid', dilation_rate: [2, 2] });
    expect(byName.get('stage3_block1_conv2_subsample')).toMatchObject({ class_name: 'MaxPooling2D', config: { pool_size: [1, 1], strides: [2, 2] } });
    // Stride-1 convs keep TF's 'same', which centres the kernel as the engine does.
    expect(byName.get('stem')!.config).toMatchObject({ padding: 'same', strides: [1, 1] });
    expect(byName.get('stage1_block1_bn1')!.config).toMatchObject({ epsilon: 1e-5, momentum: 0.9 });
  });

  it('writes a 1-D network at height 1, a causal conv as left padding of d(k-1) and a [1, k] kernel', () => {
    const { topology, weights } = layersTopology(networkPlan(CASES[3]!.spec, 0), [40, 2], 'm');
    const config = topology.config as { layers: Array<{ class_name: string; name: string; config: Record<string, unknown> }> };
    const byName = new Map(config.layers.map((l) => [l.name, l]));
    expect(byName.get('as_height_1')!.config.target_shape).toEqual([1, 40, 2]);
    // block1.conv2 is layer 1: kernel 7, dilation 7 -> 42 zeros on the left, none on the right.
    expect(byName.get('block1_conv2_pad')!.config.padding).toEqual([[0, 0], [42, 0]]);
    expect(byName.get('block1_conv2')!.config).toMatchObject({ kernel_size: [1, 7], dilation_rate: [1, 7], padding: 'valid' });
    expect(weights.find((w) => w.name === 'block1_conv2/kernel')).toMatchObject({ shape: [1, 7, 4, 4], source: 'block1.conv2.w.k7d7', sourceShape: [7, 4, 4] });
  });

  it('refuses values that are missing or of the wrong shape, naming the variable', () => {
    const spec = CASES[3]!.spec;
    const { net, values } = randomizedNetwork(spec, 1);
    net.dispose();
    const plan = networkPlan(spec, 0);
    const missing = new Map(values);
    missing.delete('block2.bn1.running_var');
    expect(() => tfjsLayersModel(plan, [40, 2], missing, 'm', {}, 'test')).toThrow(/block2\.bn1\.running_var/);
    const wrong = new Map(values);
    wrong.set('head.w', { name: 'head.w', dtype: 'float32', shape: [4, 8], data: new Float32Array(32) });
    expect(() => tfjsLayersModel(plan, [40, 2], wrong, 'm', {}, 'test')).toThrow(/head\.w .*\[4, 8\].*\[8, 4\]/);
    expect(() => tfjsLayersModel(plan, [40], values, 'm', {}, 'test')).toThrow(/rank 2/);
  });
});
