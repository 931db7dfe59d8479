/**
 * The PyTorch source, checked by its text (CI has no torch): every layer with its kernel, dilation, stride and
 * padding, the norms, the residual paths, the head, and a weight map that covers exactly the TF.js export's
 * weights. Where python3 is at hand the file is parsed; where torch is importable, it is run and its outputs are
 * compared with the engine's network.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { networkPlan } from '../../../../../src/main/core/export/architecture/network-plan.ts';
import { pytorchSource } from '../../../../../src/main/core/export/architecture/pytorch-source.ts';
import { layersTopology, tfjsLayersModel } from '../../../../../src/main/core/export/architecture/tfjs-model.ts';
import { architectureCost } from '../../../../../src/worker/engine/arch/cost.ts';
import { SeededRandom, type ArchitectureSpec } from '../../../../../src/shared/engine/index.ts';
import { buildNetwork } from '../../../../../src/worker/engine/backbones/build.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

const layers = (choices: string) => choices.split(' ').map((c, layer) => ({ layer, kernel: Number(c.split('/')[0]), dilation: Number(c.split('/')[1]) }));

const wrn: ArchitectureSpec = { backbone: 'wrn', rank: 2, inChannels: 1, outputs: 18, widthFactor: 2, padding: 'same', layers: layers('3/2 3/1 5/1 5/3 7/1 9/7 3/3 5/1 5/2 3/2 9/1 5/1 5/15') };
const resnet: ArchitectureSpec = { backbone: 'resnet1d', rank: 1, inChannels: 1, outputs: 4, baseChannels: 16, padding: 'causal', layers: layers('3/1 7/3 11/7 15/15 3/1 7/1 19/3 3/7 11/1') };
const dense: ArchitectureSpec = { backbone: 'wrn-dense', rank: 2, inChannels: 3, outputs: 1, widthFactor: 1, padding: 'same', layers: layers('3/1 5/1 3/3 5/1 3/1 5/1 3/1 5/1 3/1 5/1 3/1 5/1 3/1') };

function source(spec: ArchitectureSpec, dropout = 0): string {
  return pytorchSource(networkPlan(spec, dropout), { className: 'Net', description: ['A test network.'], generatedBy: 'test' });
}

function python(): { python: boolean; torch: boolean } {
  const probe = (code: string) => spawnSync('python3', ['-c', code], { encoding: 'utf8' }).status === 0;
  const has = probe('import ast');
  return { python: has, torch: has && probe('import torch, numpy') };
}
const available = python();

describe('PyTorch source', () => {
  it('WRN: every searchable conv with its kernel, dilation, stride and padding, in forward order', () => {
    const text = source(wrn, 0.05);
    const convLines = [...text.matchAll(/SearchedConv\(2, (\d+), (\d+), kernel=(\d+), dilation=(\d+), stride=(\d+), padding='same'\)(?:,)?(?:  # layer (\d+))?/g)];
    expect(convLines.map((m) => [Number(m[3]), Number(m[4])])).toEqual(wrn.layers.map((l) => [l.kernel, l.dilation]));
    // Channels 16 -> 32 -> 64 -> 128 (width factor 2); stride 2 on conv2 of the first block of stages 2 and 3 (layers 6 and 10).
    expect(convLines.map((m) => `${m[1]}>${m[2]}/s${m[5]}`)).toEqual([
      '1>16/s1', '16>32/s1', '32>32/s1', '32>32/s1', '32>32/s1', '32>64/s1', '64>64/s2', '64>64/s1', '64>64/s1', '64>128/s1', '128>128/s2', '128>128/s1', '128>128/s1',
    ]);
    expect(convLines.slice(1).map((m) => Number(m[6]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(text.match(/shortcut=nn\.Conv2d\([^)]*\)/g)).toEqual([
      'shortcut=nn.Conv2d(16, 32, kernel_size=1, stride=1, bias=True)',
      'shortcut=nn.Conv2d(32, 64, kernel_size=1, stride=2, bias=True)',
      'shortcut=nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=True)',
    ]);
    expect(text.match(/shortcut=None/g)).toHaveLength(3);
    expect(text.match(/dropout=0\.05,/g)).toHaveLength(6);
    expect(text).toContain('self.head_norm = nn.BatchNorm2d(128, eps=1e-05, momentum=0.1)');
    expect(text).toContain('self.head = nn.Linear(128, 18)');
    expect(text).toContain('return self.head(h.mean(dim=(2, 3)))');
    // 'same' centres the extent: floor((e - 1) / 2) before; stride keeps outputs 0, s, 2s.
    expect(text).toContain("before = extent - 1 if padding == 'causal' else (extent - 1) // 2");
    expect(text).toContain('return out + (x if self.shortcut is None else self.shortcut(x))');
  });

  it('1-D ResNet: causal convs, BatchNorm1d, residual 1x1 conv + BN where channels change and none in block 3', () => {
    const text = source(resnet);
    const convs = [...text.matchAll(/SearchedConv\(1, (\d+), (\d+), kernel=(\d+), dilation=(\d+), stride=1, padding='causal'\),  # layer (\d+)/g)];
    expect(convs.map((m) => [Number(m[5]), Number(m[3]), Number(m[4])])).toEqual(resnet.layers.map((l) => [l.layer, l.kernel, l.dilation]));
    expect(convs.map((m) => `${m[1]}>${m[2]}`)).toEqual(['1>16', '16>16', '16>16', '16>32', '32>32', '32>32', '32>32', '32>32', '32>32']);
    expect(text.match(/residual=nn\.Conv1d\([^)]*\)/g)).toEqual(['residual=nn.Conv1d(1, 16, kernel_size=1, stride=1, bias=True)', 'residual=nn.Conv1d(16, 32, kernel_size=1, stride=1, bias=True)']);
    expect(text.match(/residual=None/g)).toHaveLength(1);
    expect(text.match(/nn\.BatchNorm1d\(\d+, eps=1e-05, momentum=0\.1\)/g)).toHaveLength(9 + 2);
    expect(text).toContain('out = F.relu(norm(self.dropout(conv(out))))');
    expect(text).toContain('return self.head(h.mean(dim=2))');
  });

  it('dense WRN: the head is applied per pixel', () => {
    const text = source(dense);
    expect(text).toContain('return self.head(h.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)');
    expect(text).not.toContain('shortcut=nn.Conv2d(16, 32, kernel_size=1, stride=2');
  });

  it('maps every parameter to exactly the weights of the TF.js export', () => {
    for (const spec of [wrn, resnet, dense]) {
      const plan = networkPlan(spec, 0);
      const mapped = [...source(spec).matchAll(/^ {4}'([^']+)': \('([^']+)', '(conv|linear|vector)'\),$/gm)].map((m) => m[2]);
      const sample = spec.rank === 2 ? [16, 16, spec.inChannels] : [64, spec.inChannels];
      const exported = layersTopology(plan, sample, 'm').weights.map((w) => w.name);
      expect([...mapped].sort()).toEqual([...exported].sort());
    }
  });

  it.skipIf(!available.python)('is valid Python (parsed by python3)', () => {
    for (const spec of [wrn, resnet, dense]) {
      const result = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: source(spec, 0.05), encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    }
  });

  describe.skipIf(!available.torch)('with torch', () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });

    for (const [name, spec, sample] of [['wrn', wrn, [12, 10, 1]], ['resnet1d', resnet, [50, 1]], ['wrn-dense', dense, [8, 8, 3]]] as Array<[string, ArchitectureSpec, number[]]>) {
      it(`${name}: builds with the engine's parameter count, loads the TF.js weights and predicts what the engine predicts`, () => {
        const dir = tempDir();
        const net = buildNetwork(spec, new SeededRandom(2));
        try {
          const rng = new SeededRandom(4);
          for (const v of net.variables) tf.tidy(() => v.variable.assign(tf.tensor(rng.uniformArray(v.variable.size, v.name.endsWith('running_var') ? 0.5 : -0.5, v.name.endsWith('running_var') ? 1.5 : 0.5), v.variable.shape)));
          const values = new Map(net.variables.map((v) => [v.name, { name: v.name, dtype: 'float32' as const, shape: [...v.variable.shape], data: Float32Array.from(v.variable.dataSync()) }]));
          const plan = networkPlan(spec, 0);
          const files = tfjsLayersModel(plan, [...sample], values, 'm', {}, 'test');
          writeFileSync(join(dir.path, 'model.py'), pytorchSource(plan, { className: 'Net', description: [], generatedBy: 'test' }));
          writeFileSync(join(dir.path, 'model.json'), files.modelJson);
          writeFileSync(join(dir.path, 'weights.bin'), files.weightsBin);
          const x = new SeededRandom(5).uniformArray(2 * sample.reduce((a, b) => a * b, 1), -1, 1);
          writeFileSync(join(dir.path, 'input.json'), JSON.stringify({ shape: [2, ...sample], values: Array.from(x) }));
          const script = `
import json, sys, numpy as np, torch
sys.path.insert(0, ${JSON.stringify(dir.path)})
from model import Net, load_tfjs_weights
model = load_tfjs_weights(Net(), ${JSON.stringify(dir.path)}).eval()
params = sum(p.numel() for p in model.parameters())
data = json.load(open(${JSON.stringify(join(dir.path, 'input.json'))}))
x = torch.tensor(np.array(data['values'], dtype=np.float32).reshape(data['shape']))
x = x.permute(0, 3, 1, 2) if x.ndim == 4 else x.permute(0, 2, 1)
with torch.no_grad():
    y = model(x)
if y.ndim == 4:
    y = y.permute(0, 2, 3, 1)
print(json.dumps({'parameters': params, 'output': y.reshape(-1).tolist()}))
`;
          const out = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as { parameters: number; output: number[] };
          expect(out.parameters).toBe(architectureCost(spec, sample.slice(0, -1)).parameters);
          const engine = tf.tidy(() => Array.from(net.forward(tf.tensor(x, [2, ...sample]), { training: false, dropout: 0, rng: new SeededRandom(0) }).dataSync()));
          const scale = Math.max(...engine.map(Math.abs));
          out.output.forEach((v, i) => expect(Math.abs(v - engine[i]!)).toBeLessThan(1e-4 * scale));
        } finally {
          net.dispose();
          dir.remove();
        }
      });
    }
  });
});
