/**
 * exportArchitecture on a lab: the spec JSON of any run that chose one; TF.js weights only from a finished run
 * whose last checkpoint holds the weights it tested. The checkpoint is written here as the engine writes it
 * after retraining (state 'retrain', best weights under best/), so every refusal can be provoked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exportArchitecture } from '../../../../../src/main/core/export/architecture/architecture-export.ts';
import { LabError } from '../../../../../src/shared/errors.ts';
import { archId, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, encodeCheckpoint, SeededRandom, type ArchitectureSpec } from '../../../../../src/shared/engine/index.ts';
import { buildNetwork } from '../../../../../src/worker/engine/backbones/build.ts';
import { snapshotVariables } from '../../../../../src/worker/engine/search/checkpoint-tensors.ts';
import { FIXTURE_RUNS, fixtureSpec, openComparisonLab, type ComparisonLab } from '../../../../helpers/comparison-lab.ts';
import { tempDir } from '../../../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let lab: ComparisonLab;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

beforeEach(async () => {
  dir = tempDir();
  lab = await openComparisonLab(dir.path, { pending: true });
});

afterEach(() => {
  lab.core.close();
  dir.remove();
});

const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function failure(promise: Promise<unknown>): Promise<LabError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(LabError);
  return error as LabError;
}

/** Writes runs/<id>/checkpoint.pdck as the engine leaves it after retraining; returns the network it holds. */
async function writeRetrainCheckpoint(runId: number, spec: ArchitectureSpec, best: { value: number; epoch: number }) {
  const net = buildNetwork(spec, new SeededRandom(runId));
  const rng = new SeededRandom(100 + runId);
  for (const v of net.variables) tf.tidy(() => v.variable.assign(tf.tensor(rng.uniformArray(v.variable.size, v.name.endsWith('running_var') ? 0.5 : -0.5, v.name.endsWith('running_var') ? 1.5 : 0.5), v.variable.shape)));
  const bytes = encodeCheckpoint({
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    seed: 0,
    configHash: 'test',
    state: { phase: 'retrain', spec, hp: { lr: 0.1, dropout: 0.05, weightDecay: 5e-4, momentum: 0.9 }, hpValidation: 20, nextEpoch: 3, best },
    tensors: [...(await snapshotVariables(net.variables, 'net')), ...(await snapshotVariables(net.variables, 'best'))],
  });
  mkdirSync(join(lab.core.paths.runs, String(runId)), { recursive: true });
  writeFileSync(join(lab.core.paths.runs, String(runId), 'checkpoint.pdck'), bytes);
  return net;
}

describe('exportArchitecture', () => {
  it('json: the spec with its archId, the run, dataset with its hash, cost, result and input normalisation', async () => {
    const [file] = await exportArchitecture(lab.core, lab.runIds[0]!, 'json');
    expect(file!.name).toBe('architecture.json');
    const record = JSON.parse(text(file!.data)) as Record<string, unknown>;
    const spec = fixtureSpec(FIXTURE_RUNS[0]!.layers);
    expect(record).toMatchObject({
      format: 'pdash-architecture',
      archId: archId(spec),
      spec,
      run: { id: lab.runIds[0], method: 'dash', seed: 0, status: 'done', selection: 'argmax' },
      dataset: { name: 'fixture', contentHash: lab.dataset.contentHash, inputShape: [32, 1], classes: 2 },
      metric: { name: 'error', direction: 'minimize', test: 6.9, validation: 7.5 },
      cost: { parameters: 1000, flops: 2e6 },
      inputLayout: 'channels last: [batch, length, channels]',
      output: 'logits [batch, 2]',
    });
    const normalization = record.normalization as { eps: number; input: { mode: string; mean: { shape: number[]; values: number[] }; std: { values: number[] } }; target: unknown };
    expect(normalization.input.mode).toBe('channel');
    expect(normalization.input.mean.values).toHaveLength(1);
    expect(normalization.input.std.values[0]).toBeGreaterThan(0);
    expect(normalization.target).toBeNull();
  });

  it('tfjs: the best weights of the checkpoint, loadable and predicting what the engine network predicts', async () => {
    const runId = lab.runIds[0]!;
    const spec = fixtureSpec(FIXTURE_RUNS[0]!.layers);
    const net = await writeRetrainCheckpoint(runId, spec, { value: 7.5, epoch: 2 });
    try {
      const files = await exportArchitecture(lab.core, runId, 'tfjs');
      expect(files.map((f) => [f.name, f.mediaType])).toEqual([['model.json', 'application/json'], ['weights.bin', 'application/octet-stream']]);
      const modelJson = JSON.parse(text(files[0]!.data)) as { modelTopology: object; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; userDefinedMetadata: { pdash: Record<string, unknown> } };
      expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
      expect(modelJson.userDefinedMetadata.pdash).toMatchObject({ archId: archId(spec), bestEpoch: 2, hp: { dropout: 0.05 } });
      const bin = files[1]!.data;
      const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }));
      const x = tf.tensor(new SeededRandom(9).uniformArray(4 * 32, -2, 2), [4, 32, 1]);
      const exported = (model.predict(x) as tf.Tensor).arraySync() as number[][];
      const engine = tf.tidy(() => net.forward(x, { training: false, dropout: 0, rng: new SeededRandom(0) }).arraySync()) as number[][];
      const scale = Math.max(...engine.flat().map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      exported.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - engine[i]![j]!)).toBeLessThan(1e-5 * scale)));
      tf.dispose(x);
      model.dispose();
    } finally {
      net.dispose();
    }
  });

  it('pytorch: model.py that names the run, its architecture and how to load the weights', async () => {
    const [file] = await exportArchitecture(lab.core, lab.runIds[1]!, 'pytorch');
    expect(file!.name).toBe('model.py');
    const source = text(file!.data);
    expect(source).toContain('class PDASHRun2(nn.Module):');
    expect(source).toContain(`Run 2 (P-DASH, seed 0) of experiment ${lab.experimentId}, architecture ${archId(fixtureSpec(FIXTURE_RUNS[1]!.layers))},`);
    expect(source).toContain(`content hash ${lab.dataset.contentHash}`);
    expect(source).toContain('pdash export-arch 2 --format tfjs --out DIR');
    expect(source).toMatch(/ {4}mean = \[-?\d/);
  });

  it('refuses what it cannot export, saying why', async () => {
    const runId = lab.runIds[0]!;
    // No checkpoint at all (the fixture's runs never had a worker).
    let error = await failure(exportArchitecture(lab.core, runId, 'tfjs'));
    expect(error.code).toBe('not-found');
    expect(error.message).toContain(`Run ${runId} has no checkpoint`);
    // A checkpoint written before the best epoch was found: its best/ weights are not the tested ones.
    (await writeRetrainCheckpoint(runId, fixtureSpec(FIXTURE_RUNS[0]!.layers), { value: 8, epoch: 1 })).dispose();
    error = await failure(exportArchitecture(lab.core, runId, 'tfjs'));
    expect(error.code).toBe('conflict');
    expect(error.message).toContain('best validation value 8 (epoch 2), but the run reported 7.5');
    // A checkpoint of another architecture.
    (await writeRetrainCheckpoint(runId, fixtureSpec(FIXTURE_RUNS[1]!.layers), { value: 7.5, epoch: 2 })).dispose();
    error = await failure(exportArchitecture(lab.core, runId, 'tfjs'));
    expect(error.message).toMatch(/checkpoint holds architecture [0-9a-f]{16}, but the run chose/);
    // A run that has not chosen an architecture, and one that does not exist.
    const pending = lab.runIds.at(-1)!;
    error = await failure(exportArchitecture(lab.core, pending, 'json'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`Run ${pending} has not chosen an architecture yet (it is queued).`);
    error = await failure(exportArchitecture(lab.core, 999, 'pytorch'));
    expect(error.code).toBe('not-found');
  });

  it('tfjs from a run that is not done: refused, pointing at the json export', async () => {
    const runId = lab.runIds[0]!;
    lab.core.db.prepare("UPDATE runs SET status = 'paused' WHERE id = ?").run(runId);
    const error = await failure(exportArchitecture(lab.core, runId, 'tfjs'));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(`Run ${runId} is paused: it has no final trained weights.`);
    expect(error.hint).toContain(`pdash export-arch ${runId} --format json`);
  });
});
