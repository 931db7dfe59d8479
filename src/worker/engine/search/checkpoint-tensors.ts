/**
 * The engine's side of checkpoints: TF.js variables and optimiser buffers as the named typed arrays of a
 * `RunCheckpoint` (src/shared/engine/checkpoint.ts has the format and its codec) and back. Copies both ways, so
 * a checkpoint never aliases live tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { entriesUnder, type CheckpointTensor } from '../../../shared/engine/index.ts';
import type { NamedVariable, Network } from '../backbones/network.ts';
import type { NamedTensor, SgdOptimizer } from '../train/sgd.ts';

/** Copies of variables' values under `prefix/` + name. */
export function snapshotVariables(variables: readonly NamedVariable[], prefix: string): Promise<CheckpointTensor[]> {
  return Promise.all(variables.map((v) => tensorEntry(`${prefix}/${v.name}`, v.variable)));
}

export function snapshotTensors(tensors: readonly NamedTensor[], prefix: string): Promise<CheckpointTensor[]> {
  return Promise.all(tensors.map((t) => tensorEntry(`${prefix}/${t.name}`, t.tensor)));
}

async function tensorEntry(name: string, t: tf.Tensor): Promise<CheckpointTensor> {
  if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new Error(`checkpoint: ${name} has dtype ${t.dtype}; only float32 and int32 are stored`);
  const data = await t.data();
  return { name, dtype: t.dtype, shape: [...t.shape], data: t.dtype === 'float32' ? Float32Array.from(data) : Int32Array.from(data) };
}

/** Assigns stored values to variables by name; every variable must be present with its shape. */
export function restoreVariables(variables: readonly NamedVariable[], entries: readonly CheckpointTensor[]): void {
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const v of variables) {
    const e = byName.get(v.name);
    if (e === undefined) throw new Error(`checkpoint: no value stored for ${v.name}`);
    if (e.shape.join(',') !== v.variable.shape.join(',')) {
      throw new Error(`checkpoint: ${v.name} is stored with shape [${e.shape.join(', ')}] but the network has [${v.variable.shape.join(', ')}]`);
    }
    tf.tidy(() => v.variable.assign(tf.tensor(e.data, e.shape, e.dtype)));
  }
}

/**
 * Assigns stored values to the variables that have an entry of the same name and shape (weight carry-over into a
 * rebuilt supernet); returns the variables left as they were.
 */
export function assignMatching(variables: readonly NamedVariable[], entries: readonly CheckpointTensor[]): NamedVariable[] {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const untouched: NamedVariable[] = [];
  for (const v of variables) {
    const e = byName.get(v.name);
    if (e === undefined || e.shape.join(',') !== v.variable.shape.join(',')) {
      untouched.push(v);
      continue;
    }
    tf.tidy(() => v.variable.assign(tf.tensor(e.data, e.shape, e.dtype)));
  }
  return untouched;
}

/** Tensors for an optimiser's loadState; the caller disposes them. */
export function toNamedTensors(entries: readonly CheckpointTensor[]): NamedTensor[] {
  return entries.map((e) => ({ name: e.name, tensor: tf.tensor(e.data, e.shape, e.dtype) }));
}

/**
 * What continues a training loop exactly: the network's variables under `net/` and the optimiser's momentum
 * under `opt/` (the search, HP trials and retraining all checkpoint this pair; `restoreTraining` reads it back).
 */
export async function trainingTensors(net: Pick<Network, 'variables'>, optimizer: SgdOptimizer): Promise<CheckpointTensor[]> {
  const buffers = optimizer.stateTensors();
  try {
    return [...(await snapshotVariables(net.variables, 'net')), ...(await snapshotTensors(buffers, 'opt'))];
  } finally {
    buffers.forEach((b) => b.tensor.dispose());
  }
}

/** Puts back what `trainingTensors` stored: variables from `net/`, momentum from `opt/`. */
export function restoreTraining(net: Pick<Network, 'variables'>, optimizer: SgdOptimizer, restore: readonly CheckpointTensor[]): void {
  restoreVariables(net.variables, entriesUnder(restore, 'net'));
  const buffers = toNamedTensors(entriesUnder(restore, 'opt'));
  try {
    optimizer.loadState(buffers);
  } finally {
    buffers.forEach((b) => b.tensor.dispose());
  }
}
