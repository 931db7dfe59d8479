/**
 * Probe: one method on ecg-synth small (generated with the seed) or the planted lag-48 task, at a preset with
 * overrides; prints the phase times, the undecided layers per search epoch (min..max top-two margin), the chosen
 * patterns, the receptive field and the test metric. --search-only stops after the selection (docs/ALGORITHM.md
 * section 13's table came from it). Prints; asserts nothing.
 *
 *   node bench/search-probe.ts [--task ecg|lag] [--method dash] [--seed 0] [--preset quick]
 *        [--set '{"search":{"lrAlpha":0.5}}'] [--search-only] [--threads 1]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { layerDecision, resolveConfig, type EngineEvent } from '../src/shared/engine/index.ts';
import type { Method, Preset } from '../src/shared/contract/index.ts';
import { setupNodeRuntime } from '../src/worker/node-runtime.ts';
import { runMethod, type RunDataset } from '../src/worker/engine/index.ts';
import { generateEcgSynth } from '../src/main/core/datasets/builtin/index.ts';
import type { SplitData } from '../src/main/core/datasets/preprocess/task-data.ts';
import { chainReceptiveField, lagTask } from '../test/integration/engine/lag-task.ts';

const { values } = parseArgs({ options: { task: { type: 'string', default: 'ecg' }, method: { type: 'string', default: 'dash' }, seed: { type: 'string', default: '0' }, set: { type: 'string', default: '{}' }, preset: { type: 'string', default: 'quick' }, threads: { type: 'string', default: '1' }, 'search-only': { type: 'boolean', default: false } } });
const seed = Number(values.seed);
await setupNodeRuntime({ backend: 'wasm', threads: Number(values.threads) });

function ecg(seed: number): RunDataset {
  const t = generateEcgSynth({ seed, size: 'small' });
  const part = (s: SplitData) => ({ x: tf.tensor3d(s.x, [s.n, 1000, 1]), y: tf.tensor1d(Int32Array.from(s.y), 'int32') });
  return { task: { kind: 'classification', metric: 'one-minus-macro-f1', inputShape: [1000, 1], numClasses: 4 }, train: part(t.splits.train), validation: part(t.splits.val), test: part(t.splits.test) };
}
const data = values.task === 'ecg' ? ecg(seed) : lagTask(seed, { length: 128, lag: 48, amplitude: 1, counts: { train: 1024, validation: 256, test: 512 } });
const config = resolveConfig(values.preset as Preset, JSON.parse(values.set));
const t0 = performance.now();
const phases: string[] = [];
const undecided: string[] = [];
const abort = new AbortController();
let chosen: { kernel: number; dilation: number }[] = [];
let lastMargins: number[] = [];
const run = runMethod(values.method as Method, config, data, seed, {
  onEvent: (e: EngineEvent) => {
    if (e.type === 'phase-end') phases.push(`${e.phase}${e.round === null ? '' : e.round} ${(e.wallMs / 1000).toFixed(0)}s/${e.steps}st`);
    if (e.type === 'alpha') {
      const d = e.layers.map((l) => layerDecision(l.softmax));
      lastMargins = d.map((x) => x.margin);
      undecided.push(`${d.filter((x) => !x.decided).length}(${(Math.min(...d.map((x) => x.margin)) * 100).toFixed(1)}..${(Math.max(...d.map((x) => x.margin)) * 100).toFixed(1)})`);
    }
    if (e.type === 'architecture') {
      chosen = e.spec.layers;
      if (values['search-only']) abort.abort();
    }
  },
  saveCheckpoint: () => undefined,
  signal: abort.signal,
});
if (values['search-only']) {
  await run.catch(() => undefined);
  console.log(`${values.task} ${values.method} seed ${seed} ${values.set}: field ${chainReceptiveField(chosen)} [${chosen.map((l) => `${l.kernel}/${l.dilation}`).join(' ')}] margins% [${lastMargins.map((m) => (m * 100).toFixed(1)).join(' ')}] wall ${((performance.now() - t0) / 1000).toFixed(0)}s`);
  console.log(`  phases: ${phases.join(', ')}`);
  console.log(`  undecided per epoch: ${undecided.join(' ')}`);
  process.exit(0);
}
const result = await run;
const pats = result.spec.layers.map((l) => `${l.kernel}/${l.dilation}`).join(' ');
console.log(`${values.task} ${values.method} seed ${seed} ${values.set}: metric ${result.metric.value.toFixed(3)} field ${chainReceptiveField(result.spec.layers)} [${pats}] wall ${((performance.now() - t0) / 1000).toFixed(0)}s`);
console.log(`  phases: ${phases.join(', ')}`);
console.log(`  undecided per epoch (min..max margin %): ${undecided.join(' ')}`);
