/**
 * `pdash export-arch` and the `export/architecture` channel: a run's chosen architecture as
 * - `json`: the spec (with its archId), the run, dataset, cost, chosen HPs, result and input normalisation;
 * - `tfjs`: a TF.js layers model (model.json + weights.bin) with the weights that were tested, i.e. the retrained
 *   weights best on validation, read from the run's last checkpoint;
 * - `pytorch`: a PyTorch module (model.py) that rebuilds the same network, with a loader for the TF.js weights.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LabError } from '../../../../shared/errors.ts';
import { methodLabel } from '../../../../shared/charts/index.ts';
import { archId, entriesUnder, parseArchitectureSpec, type ArchitectureSpec, type CheckpointTensor, type HpChoice, type RunCheckpoint } from '../../../../shared/engine/index.ts';
import { CHECKPOINT_FILE, readCheckpointFile } from '../../../../worker/index.ts';
import { openNpy, readWholeArray } from '../../../../array-io/index.ts';
import type { DatasetRecord } from '../../datasets/registry.ts';
import type { LabServices } from '../../lab-services.ts';
import type { RunRow } from '../../log/experiment-log.ts';
import { datasetFiles } from '../../runs/supervisor.ts';
import { labVersion } from '../../version.ts';
import type { ExportedFile } from '../exported-file.ts';
import { networkPlan } from './network-plan.ts';
import { pytorchSource } from './pytorch-source.ts';
import { tfjsLayersModel } from './tfjs-model.ts';

export const ARCHITECTURE_FORMATS = ['json', 'tfjs', 'pytorch'] as const;
export type ArchitectureFormat = (typeof ARCHITECTURE_FORMATS)[number];

const generatedBy = `P-DASH Lab ${labVersion}`;

interface RunArchitecture {
  run: RunRow;
  dataset: DatasetRecord;
  spec: ArchitectureSpec;
  archId: string;
  selection: string;
  parameters: number;
  flops: number;
}

function runArchitecture(core: LabServices, runId: number): RunArchitecture {
  const run = core.log.run(runId);
  const stored = core.log.architecture(runId);
  if (stored === null) {
    throw new LabError('conflict', `Run ${runId} has not chosen an architecture yet (it is ${run.status}${run.phase ? `, in ${run.phase}` : ''}).`, 'Export it after its search and selection have finished.');
  }
  const spec = parseArchitectureSpec(JSON.parse(stored.spec));
  const dataset = core.datasets.get(core.log.experiment(run.experiment_id).dataset_id);
  return { run, dataset, spec, archId: stored.arch_id, selection: stored.selection, parameters: stored.parameters, flops: stored.flops };
}

export interface TrainedWeights {
  /** Engine variable name -> the value tested (best on validation). */
  values: Map<string, CheckpointTensor>;
  hp: HpChoice;
  bestEpoch: number;
}

function checkpointPath(core: LabServices, runId: number): string {
  return join(core.paths.runs, String(runId), CHECKPOINT_FILE);
}

async function readCheckpoint(core: LabServices, runId: number): Promise<RunCheckpoint | null> {
  const path = checkpointPath(core, runId);
  if (!existsSync(path)) return null;
  return readCheckpointFile(path, runId, 'export');
}

/**
 * The weights a finished run tested: its last checkpoint holds the retrained network's best-on-validation
 * weights under `best/`. Refuses a run that has not finished, and a checkpoint whose best is not the run's
 * reported validation value (a checkpoint written before the best epoch would hold other weights).
 */
export async function trainedWeights(core: LabServices, arch: RunArchitecture): Promise<TrainedWeights> {
  const { run } = arch;
  if (run.status !== 'done') {
    throw new LabError('conflict', `Run ${run.id} is ${run.status}: it has no final trained weights.`, `Wait until it is done, or export only its architecture with \`pdash export-arch ${run.id} --format json\`.`);
  }
  const checkpoint = await readCheckpoint(core, run.id);
  if (checkpoint === null) throw new LabError('not-found', `Run ${run.id} has no checkpoint at ${checkpointPath(core, run.id)}.`, 'Its weights were not kept; export the architecture as json or pytorch instead.');
  const state = checkpoint.state;
  if (state.phase !== 'retrain' || state.best === null) throw new LabError('conflict', `Run ${run.id}'s last checkpoint is from ${state.phase}, not from after retraining; it holds no trained weights.`);
  if (archId(state.spec) !== arch.archId) throw new LabError('conflict', `Run ${run.id}'s checkpoint holds architecture ${archId(state.spec)}, but the run chose ${arch.archId}.`);
  if (run.validation_value !== null && state.best.value !== run.validation_value) {
    throw new LabError(
      'conflict',
      `Run ${run.id}'s last checkpoint has the best validation value ${state.best.value} (epoch ${state.best.epoch + 1}), but the run reported ${run.validation_value}: it was written before the tested weights were found.`,
      'Weights can be exported from runs that checkpoint every epoch (checkpointEvery: 1, the default).',
    );
  }
  const best = entriesUnder(checkpoint.tensors, 'best');
  return { values: new Map(best.map((t) => [t.name, t])), hp: state.hp, bestEpoch: state.best.epoch };
}

/**
 * The HPs the run retrained with. They are kept in its checkpoint (hp_trials holds every trial, not the pick);
 * a spec export must work for any run that chose an architecture, so an unreadable checkpoint gives null here.
 */
async function chosenHp(core: LabServices, runId: number): Promise<HpChoice | null> {
  try {
    const checkpoint = await readCheckpoint(core, runId);
    return checkpoint?.state.phase === 'retrain' ? checkpoint.state.hp : null;
  } catch (error) {
    if (error instanceof LabError && error.code === 'unavailable') return null;
    throw error;
  }
}

async function readStats(path: string): Promise<{ shape: number[]; values: number[] }> {
  const source = await openNpy(path);
  try {
    return { shape: [...source.shape], values: Array.from(await readWholeArray(source), (v) => Number(v)) };
  } finally {
    await source.close();
  }
}

/** How the lab normalised the inputs (and dense targets) the network was trained on. */
async function normalizationOf(dataset: DatasetRecord): Promise<Record<string, unknown>> {
  const files = datasetFiles(dataset).normalization;
  const side = async (s: { mode: string; mean: string; std: string }) => ({ mode: s.mode, mean: await readStats(s.mean), std: await readStats(s.std) });
  return {
    formula: '(value - mean) / (std + eps), with the statistics of the train split',
    eps: files.eps,
    input: await side(files.x),
    target: files.y ? { ...(await side(files.y)), note: 'the network predicts normalised targets: multiply by (std + eps) and add mean to get the original units' } : null,
  };
}

async function architectureRecord(core: LabServices, arch: RunArchitecture, weights: TrainedWeights | null): Promise<Record<string, unknown>> {
  const { run, dataset } = arch;
  const hp = weights?.hp ?? (await chosenHp(core, run.id));
  return {
    format: 'pdash-architecture',
    version: 1,
    generatedBy,
    archId: arch.archId,
    spec: arch.spec,
    run: { id: run.id, experimentId: run.experiment_id, method: run.method, seed: run.seed, status: run.status, selection: arch.selection },
    dataset: { id: dataset.id, name: dataset.name, contentHash: dataset.contentHash, kind: dataset.kind, inputShape: dataset.xShape, targetShape: dataset.yShape, classes: dataset.classes, classNames: dataset.classNames },
    metric: run.metric_name === null ? null : { name: run.metric_name, direction: run.metric_direction, test: run.metric_value, validation: run.validation_value },
    cost: { parameters: arch.parameters, flops: arch.flops },
    hp,
    ...(weights ? { bestEpoch: weights.bestEpoch } : {}),
    inputLayout: arch.spec.rank === 2 ? 'channels last: [batch, height, width, channels]' : 'channels last: [batch, length, channels]',
    output: arch.spec.backbone === 'wrn-dense' ? `predictions [batch, height, width, ${arch.spec.outputs}] (normalised targets)` : `logits [batch, ${arch.spec.outputs}]`,
    normalization: await normalizationOf(dataset),
  };
}

function jsonFile(name: string, value: unknown): ExportedFile {
  return { name, mediaType: 'application/json', data: new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`) };
}

export async function exportArchitecture(core: LabServices, runId: number, format: ArchitectureFormat): Promise<ExportedFile[]> {
  const arch = runArchitecture(core, runId);
  const { run } = arch;
  if (format === 'json') return [jsonFile('architecture.json', await architectureRecord(core, arch, null))];

  const weights = format === 'tfjs' ? await trainedWeights(core, arch) : null;
  const record = await architectureRecord(core, arch, weights);
  const hp = record.hp as HpChoice | null;
  const plan = networkPlan(arch.spec, hp?.dropout ?? 0);
  const className = `${methodLabel(run.method).replace(/[^A-Za-z0-9]/g, '')}Run${run.id}`;
  if (format === 'tfjs') {
    const files = tfjsLayersModel(plan, arch.dataset.xShape, weights!.values, className, { pdash: record }, generatedBy);
    return [
      { name: 'model.json', mediaType: 'application/json', data: new TextEncoder().encode(files.modelJson) },
      { name: 'weights.bin', mediaType: 'application/octet-stream', data: files.weightsBin },
    ];
  }
  const normalization = record.normalization as { eps: number; input: { mode: string; mean: { values: number[] }; std: { values: number[] } } };
  const stats = normalization.input.mean.values.length <= 16
    ? [`    mean = ${JSON.stringify(normalization.input.mean.values)}`, `    std = ${JSON.stringify(normalization.input.std.values)}`, `    eps = ${normalization.eps}`]
    : ['    (per-position statistics: see "normalization" in architecture.json, from `--format json`)'];
  const source = pytorchSource(plan, {
    className,
    generatedBy,
    description: [
      `Run ${run.id} (${methodLabel(run.method)}, seed ${run.seed}) of experiment ${run.experiment_id}, architecture ${arch.archId},`,
      `trained on dataset '${arch.dataset.name}' (content hash ${arch.dataset.contentHash}).`,
      `Backbone ${arch.spec.backbone}, ${arch.parameters} parameters; chosen (kernel, dilation) per searchable layer:`,
      `    ${arch.spec.layers.map((l) => `${l.kernel}/${l.dilation}`).join(' ')}`,
      '',
      `Inputs: channels first; the lab normalised them per ${normalization.input.mode === 'channel' ? 'channel' : 'position'} as (x - mean) / (std + eps) with train statistics:`,
      ...stats,
      '',
      `Trained weights: export them with \`pdash export-arch ${run.id} --format tfjs --out DIR\`, then`,
      `    model = load_tfjs_weights(${className}(), DIR).eval()`,
    ],
  });
  return [{ name: 'model.py', mediaType: 'text/x-python', data: new TextEncoder().encode(source) }];
}
