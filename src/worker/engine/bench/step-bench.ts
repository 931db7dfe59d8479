/**
 * The search-step benchmark: one DASH search step of the supernet against one training step of the plain network,
 * on the active backend, for the reference tasks (reference.ts): WRN-16-1 on NinaPro's 16 x 52 maps and the 1-D
 * ResNet on ECG's length-1000 recordings.
 *
 * Both steps are the engine's own: `trainEpoch` (train/loop.ts) for exactly one batch, as the search phase
 * (search/supernet-search.ts) runs it: Gumbel-softmax forward, backward for weights and alphas, DASH's alpha
 * rescaling and field-size penalty, global-norm clipping, then the SGD updates of the weight group and the alpha
 * group. The networks come from the engine's builders: the supernet over the task's default search space
 * (`buildSupernet`, each layer's evaluation method chosen by the cost model as in a search with
 * search.mixtureMethod null), and the plain network (`buildNetwork` of the backbone baseline's spec: 3 x 3
 * everywhere for WRN, kernels 8, 5, 3 per block for the 1-D ResNet) at the supernet's width, trained with the same
 * SGD settings on its weights. The run configuration is the paper preset's with the search batch set.
 *
 * Steps alternate supernet, plain, supernet, ... after one warm-up step each; each step ends with a read-back of
 * an updated parameter, so queued GPU work is included.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  resolveConfig,
  searchableLayerCount,
  STEP_REFERENCES,
  uniformSearchSpaces,
  type StepBenchEntry,
  type StepBenchResult,
  type StepBenchSpec,
  type StepNetworkResult,
  type StepReference,
  type TaskSpec,
} from '../../../shared/engine/index.ts';
import { architectureCost, supernetForwardFlops, TRAINING_FLOPS_PER_FORWARD } from '../arch/cost.ts';
import { buildNetwork, buildSupernet } from '../backbones/build.ts';
import { variablesWithRole, type NamedVariable, type Network } from '../backbones/network.ts';
import type { RunDataset } from '../data/dataset.ts';
import { backboneChoices, specOf } from '../search/architecture.ts';
import { epochInputs } from '../search/loop-inputs.ts';
import { createRunContext, type RunContext } from '../search/run-context.ts';
import { trainEpoch, type AlphaGradientSettings } from '../train/loop.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import type { BenchProgress } from './mixture-bench.ts';
import { referenceTask } from './reference.ts';
import { median, timeRoundRobin, timeOnce } from './timing.ts';

export async function runStepBench(spec: StepBenchSpec = {}, onProgress: BenchProgress = () => {}): Promise<StepBenchResult> {
  const batch = spec.batch ?? 32;
  const repeats = spec.repeats ?? 5;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`step bench: batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`step bench: repeats must be a positive integer, got ${repeats}`);
  const references = spec.references ?? STEP_REFERENCES;
  for (const r of references) {
    if (!(STEP_REFERENCES as readonly string[]).includes(r)) throw new Error(`step bench: unknown reference '${r}' (one of ${STEP_REFERENCES.join(', ')})`);
  }
  const entries: StepBenchEntry[] = [];
  for (const reference of references) {
    onProgress(`step: ${referenceTask(reference).label}, batch ${batch}`);
    entries.push(await benchReference(reference, batch, repeats, onProgress));
  }
  return { tfjsBackend: tf.getBackend(), batch, repeats, references: entries };
}

/** Random inputs and targets for the task: the step's time does not depend on the values. */
function syntheticDataset(task: TaskSpec, size: number): RunDataset {
  const split = (seed: number): { x: tf.Tensor; y: tf.Tensor } => ({
    x: tf.randomNormal([size, ...task.inputShape], 0, 1, 'float32', seed),
    y:
      task.kind === 'classification'
        ? tf.tensor1d(Array.from({ length: size }, (_, i) => i % task.numClasses!), 'int32')
        : tf.randomNormal([size, ...task.targetShape!], 0, 1, 'float32', seed + 1),
  });
  return { task, train: split(10), validation: split(20), test: split(30) };
}

function disposeDataset(dataset: RunDataset): void {
  for (const s of [dataset.train, dataset.validation, dataset.test]) {
    if (s !== undefined && 'x' in s) tf.dispose([s.x, s.y]);
  }
}

const parameterCount = (vars: readonly NamedVariable[]): number => vars.reduce((n, v) => n + v.variable.size, 0);

async function benchReference(reference: StepReference, batch: number, repeats: number, onProgress: BenchProgress): Promise<StepBenchEntry> {
  const ref = referenceTask(reference);
  const config = resolveConfig('paper', { search: { batchSize: batch } });
  const dataset = syntheticDataset(ref.task, 2 * batch);
  const nets: Network[] = [];
  const optimizers: SgdOptimizer[] = [];
  try {
    const ctx: RunContext = createRunContext('dash', config, dataset, 0, { onEvent: () => {}, saveCheckpoint: () => {} });
    const { settings } = ctx;
    const s = config.search;
    const spaces = uniformSearchSpaces(settings.grid, searchableLayerCount(settings.backbone));
    const shape = ctx.shape(s.widthFactor);
    const supernet = buildSupernet(shape, spaces, { temperature: s.temperature, ...(s.mixtureMethod === null ? {} : { method: s.mixtureMethod }) }, ctx.stream('bench/supernet'));
    nets.push(supernet);
    const spec = specOf(ctx, backboneChoices(ctx), s.widthFactor);
    const plain = buildNetwork(spec, ctx.stream('bench/plain'));
    nets.push(plain);
    const sgd = { momentum: s.momentum, weightDecay: s.weightDecay, nesterov: s.momentum > 0 };
    const superWeights = variablesWithRole(supernet, 'weight');
    const alphas = variablesWithRole(supernet, 'alpha');
    const superOptimizer = new SgdOptimizer(
      [
        { lr: settings.lrWeights, parameters: superWeights },
        { lr: settings.lrAlpha, parameters: alphas },
      ],
      sgd,
    );
    optimizers.push(superOptimizer);
    const plainWeights = variablesWithRole(plain, 'weight');
    const plainOptimizer = new SgdOptimizer([{ lr: settings.lrWeights, parameters: plainWeights }], sgd);
    optimizers.push(plainOptimizer);
    const alphaGradient: AlphaGradientSettings = { scale: s.alphaGradScale, penalty: settings.fieldPenalty, densePrediction: settings.densePrediction };

    let stepIndex = 0;
    const step = async (which: 'supernet' | 'plain'): Promise<void> => {
      const isSuper = which === 'supernet';
      const trainable = isSuper ? [...superWeights, ...alphas] : plainWeights;
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `bench/${which}/${stepIndex++}`),
        net: isSuper ? supernet : plain,
        optimizer: isSuper ? superOptimizer : plainOptimizer,
        trainable,
        batchSize: settings.searchBatchSize,
        share: { steps: 1 },
        lrFactor: 1,
        dropout: 0,
        clipNorm: s.clipNorm,
        alphaGradient: isSuper ? alphaGradient : null,
      });
      if (outcome.diverged) throw new Error(`step bench: the ${which} step of ${reference} produced a non-finite loss`);
      // Reading back an updated parameter waits for the whole step on asynchronous backends.
      const probe = tf.sum(trainable.at(-1)!.variable);
      await probe.data();
      probe.dispose();
    };
    const warm = { supernet: await timeOnce(() => step('supernet')), plain: await timeOnce(() => step('plain')) };
    onProgress(`  warm-up: supernet ${warm.supernet.toFixed(0)} ms, plain ${warm.plain.toFixed(0)} ms; timing ${repeats} round${repeats === 1 ? '' : 's'}`);
    const samples = await timeRoundRobin(['supernet', 'plain'] as const, step, repeats);
    const inputSize = ref.task.inputShape.slice(0, -1);
    const result = (which: 'supernet' | 'plain', forwardFlops: number, parameters: number): StepNetworkResult => {
      const values = samples.get(which)!;
      const ms = median(values);
      const flops = TRAINING_FLOPS_PER_FORWARD * forwardFlops * batch;
      return { ms, samples: values.length, parameters, flops, gflops: flops / (ms * 1e6) };
    };
    const superResult = result('supernet', supernetForwardFlops(shape, spaces, inputSize), parameterCount(superWeights) + parameterCount(alphas));
    const plainResult = result('plain', architectureCost(spec, inputSize).flops, parameterCount(plainWeights));
    return {
      reference,
      label: ref.label,
      backbone: settings.backbone,
      inputShape: [batch, ...ref.task.inputShape],
      kernels: [...settings.grid.kernels],
      dilations: [...settings.grid.dilations],
      searchableLayers: spaces.length,
      supernet: superResult,
      plain: { ...plainResult, patterns: spec.layers.map((p) => `k${p.kernel}d${p.dilation}`) },
      ratio: superResult.ms / plainResult.ms,
    };
  } finally {
    for (const o of optimizers) o.dispose();
    for (const n of nets) n.dispose();
    disposeDataset(dataset);
  }
}
