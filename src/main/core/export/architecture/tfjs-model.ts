/**
 * A TF.js layers model (model.json + weights.bin) of a trained discrete network, loadable with
 * `tf.loadLayersModel` (and convertible to Keras with tensorflowjs_converter). The topology is written as Keras
 * functional-model JSON, the weights as one little-endian float32 shard in manifest order.
 *
 * Where TF's conventions differ from the engine's, padding is written out explicitly:
 * - TF's 'same' at stride 2 pads differently from the engine, which centres every kernel at stride 1 and keeps
 *   outputs 0, s, 2s, ... So a strided searchable conv is ZeroPadding2D + a 'valid' conv; when it is also
 *   dilated (TF refuses stride > 1 with dilation > 1) the conv runs at stride 1 and a 1x1 max-pool with stride s
 *   keeps every s-th output.
 * - TF.js layers has neither causal Conv1D nor 1-D zero padding, so a 1-D network is written as a 2-D network of
 *   height 1: the [length, channels] input is reshaped to [1, length, channels] and every conv has a [1, k]
 *   kernel (the same weights, with a leading axis of 1); a causal conv pads d(k-1) zeros on the left.
 */
import type { CheckpointTensor } from '../../../../shared/engine/index.ts';
import { LabError } from '../../../../shared/errors.ts';
import type { ConvNode, NetworkPlan, NormNode } from './network-plan.ts';
import { paddingOf } from './network-plan.ts';

interface KerasLayer {
  class_name: string;
  config: Record<string, unknown>;
  name: string;
  inbound_nodes: Array<Array<[string, number, number, Record<string, never>]>>;
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: 'float32';
}

const GLOROT = { class_name: 'GlorotUniform', config: { seed: null } };
const ZEROS = { class_name: 'Zeros', config: {} };
const ONES = { class_name: 'Ones', config: {} };

/** A Keras-safe layer name for an engine slot: dots become underscores. */
export function kerasName(slot: string): string {
  return slot.replaceAll('.', '_');
}

class ModelGraph {
  readonly layers: KerasLayer[] = [];
  /** Keras weight name and shape -> engine variable name and its shape there (the same values, maybe fewer unit axes). */
  readonly weights: Array<ManifestWeight & { source: string; sourceShape: number[] }> = [];

  add(className: string, name: string, config: Record<string, unknown>, inputs: string[]): string {
    if (this.layers.some((l) => l.name === name)) throw new Error(`tfjs export: duplicate layer name ${name}`);
    this.layers.push({ class_name: className, config: { name, trainable: true, dtype: 'float32', ...config }, name, inbound_nodes: inputs.length === 0 ? [] : [inputs.map((i) => [i, 0, 0, {}])] });
    return name;
  }

  weight(layer: string, weight: string, source: string, shape: number[], sourceShape: number[] = shape): void {
    this.weights.push({ name: `${layer}/${weight}`, shape, dtype: 'float32', source, sourceShape });
  }
}

function conv(g: ModelGraph, node: ConvNode, input: string): string {
  const name = kerasName(node.slot);
  const k = node.kernel;
  const d = node.dilation;
  const engineShape = node.rank === 2 ? [k, k, node.inChannels, node.outChannels] : [k, node.inChannels, node.outChannels];
  // 1-D convs run as 2-D convs on a height-1 input (see the file comment): kernel [1, k], dilation [1, d].
  const kernel2d = node.rank === 2 ? [k, k] : [1, k];
  const dilation2d = node.rank === 2 ? [d, d] : [1, d];
  const stride2d = node.rank === 2 ? [node.stride, node.stride] : [1, node.stride];
  const common = {
    filters: node.outChannels,
    kernel_size: kernel2d,
    dilation_rate: dilation2d,
    data_format: 'channels_last',
    activation: 'linear',
    use_bias: true,
    kernel_initializer: GLOROT,
    bias_initializer: ZEROS,
    kernel_regularizer: null,
    bias_regularizer: null,
    activity_regularizer: null,
    kernel_constraint: null,
    bias_constraint: null,
  };
  const extent = d * (k - 1) + 1;
  let output: string;
  if (node.padding === 'same' && (node.stride === 1 || extent === 1)) {
    // At stride 1, TF's 'same' puts floor((e-1)/2) before, as the engine does; a 1x1 kernel needs no padding at all.
    output = g.add('Conv2D', name, { ...common, strides: stride2d, padding: 'same' }, [input]);
  } else {
    const [before, after] = paddingOf(k, d, node.padding);
    const pads = node.rank === 2 ? [[before, after], [before, after]] : [[0, 0], [before, after]];
    const padded = g.add('ZeroPadding2D', `${name}_pad`, { padding: pads, data_format: 'channels_last' }, [input]);
    const strideInConv = d === 1 ? stride2d : [1, 1];
    output = g.add('Conv2D', name, { ...common, strides: strideInConv, padding: 'valid' }, [padded]);
    if (strideInConv.some((s, i) => s !== stride2d[i])) {
      output = g.add('MaxPooling2D', `${name}_subsample`, { pool_size: [1, 1], strides: stride2d, padding: 'valid', data_format: 'channels_last' }, [output]);
    }
  }
  g.weight(name, 'kernel', node.weight, [...kernel2d, node.inChannels, node.outChannels], engineShape);
  g.weight(name, 'bias', node.bias, [node.outChannels]);
  return output;
}

function batchNorm(g: ModelGraph, node: NormNode, input: string): string {
  const name = kerasName(node.slot);
  g.add(
    'BatchNormalization',
    name,
    {
      axis: -1,
      // Keras' momentum is the weight of the old running value: the engine's (PyTorch's) 0.1 is Keras' 0.9.
      momentum: 0.9,
      epsilon: 1e-5,
      center: true,
      scale: true,
      beta_initializer: ZEROS,
      gamma_initializer: ONES,
      moving_mean_initializer: ZEROS,
      moving_variance_initializer: ONES,
      beta_regularizer: null,
      gamma_regularizer: null,
      beta_constraint: null,
      gamma_constraint: null,
    },
    [input],
  );
  g.weight(name, 'gamma', node.gamma, [node.channels]);
  g.weight(name, 'beta', node.beta, [node.channels]);
  g.weight(name, 'moving_mean', node.mean, [node.channels]);
  g.weight(name, 'moving_variance', node.variance, [node.channels]);
  return name;
}

function relu(g: ModelGraph, name: string, input: string): string {
  return g.add('Activation', name, { activation: 'relu' }, [input]);
}

function dropout(g: ModelGraph, name: string, rate: number, input: string): string {
  return rate > 0 ? g.add('Dropout', name, { rate, noise_shape: null, seed: null }, [input]) : input;
}

/** The Keras topology and weight manifest (engine names alongside) of a plan, for inputs of `inputShape` (one sample, channels last). */
export function layersTopology(plan: NetworkPlan, inputShape: readonly number[], modelName: string): { topology: Record<string, unknown>; weights: Array<ManifestWeight & { source: string; sourceShape: number[] }> } {
  if (inputShape.length !== plan.rank + 1) throw new Error(`tfjs export: a ${plan.rank}-D network takes samples of rank ${plan.rank + 1}, got [${inputShape.join(', ')}]`);
  const g = new ModelGraph();
  let h = g.add('InputLayer', 'input', { batch_input_shape: [null, ...inputShape], sparse: false }, []);
  if (plan.rank === 1) h = g.add('Reshape', 'as_height_1', { target_shape: [1, ...inputShape] }, [h]);
  if (plan.stem) h = conv(g, plan.stem, h);
  for (const block of plan.blocks) {
    const name = kerasName(block.name);
    if (block.kind === 'wrn') {
      const input = h;
      let out = relu(g, `${name}_relu1`, batchNorm(g, block.bn1, input));
      out = conv(g, block.conv1, out);
      out = dropout(g, `${name}_dropout`, plan.dropout, out);
      out = relu(g, `${name}_relu2`, batchNorm(g, block.bn2, out));
      out = conv(g, block.conv2, out);
      const skip = block.shortcut ? conv(g, block.shortcut, input) : input;
      h = g.add('Add', `${name}_add`, {}, [out, skip]);
    } else {
      const input = h;
      let out = input;
      block.convs.forEach((c, i) => {
        out = conv(g, c, out);
        out = dropout(g, `${kerasName(c.slot)}_dropout`, plan.dropout, out);
        out = relu(g, `${kerasName(block.norms[i]!.slot)}_relu`, batchNorm(g, block.norms[i]!, out));
      });
      h = block.residual ? g.add('Add', `${name}_add`, {}, [out, batchNorm(g, block.residual.norm, conv(g, block.residual.conv, input))]) : out;
    }
  }
  if (plan.headNorm) h = relu(g, 'head_relu', batchNorm(g, plan.headNorm, h));
  if (!plan.head.perPosition) h = g.add('GlobalAveragePooling2D', 'head_pool', { data_format: 'channels_last' }, [h]);
  const head = g.add('Dense', 'head', { units: plan.head.outFeatures, activation: 'linear', use_bias: true, kernel_initializer: GLOROT, bias_initializer: ZEROS, kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null }, [h]);
  g.weight(head, 'kernel', plan.head.weight, [plan.head.inFeatures, plan.head.outFeatures]);
  g.weight(head, 'bias', plan.head.bias, [plan.head.outFeatures]);
  return {
    topology: {
      class_name: 'Model',
      config: { name: modelName, layers: g.layers, input_layers: [['input', 0, 0]], output_layers: [[head, 0, 0]] },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weights: g.weights,
  };
}

export interface TfjsModelFiles {
  modelJson: string;
  weightsBin: Uint8Array;
}

/**
 * model.json and weights.bin for a plan with trained values (engine variable name -> tensor). Every variable the
 * layers need must be there with the shape the layer expects; `metadata` goes into userDefinedMetadata.
 */
export function tfjsLayersModel(plan: NetworkPlan, inputShape: readonly number[], values: ReadonlyMap<string, CheckpointTensor>, modelName: string, metadata: Record<string, unknown>, generatedBy: string): TfjsModelFiles {
  const { topology, weights } = layersTopology(plan, inputShape, modelName);
  const total = weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const w of weights) {
    const tensor = values.get(w.source);
    if (tensor === undefined) throw new LabError('internal', `The checkpoint holds no value for ${w.source} (layer ${w.name}).`, 'The checkpoint does not match the run\'s architecture; export a run that finished with this version of the lab.');
    if (tensor.dtype !== 'float32' || tensor.shape.join(',') !== w.sourceShape.join(',')) {
      throw new LabError('internal', `The checkpoint stores ${w.source} as ${tensor.dtype} [${tensor.shape.join(', ')}], but layer ${w.name} needs float32 [${w.sourceShape.join(', ')}].`);
    }
    data.set(tensor.data as Float32Array, offset);
    offset += tensor.data.length;
  }
  const manifest = [{ paths: ['weights.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }];
  const modelJson = JSON.stringify({ format: 'layers-model', generatedBy, convertedBy: null, modelTopology: topology, weightsManifest: manifest, userDefinedMetadata: metadata }, null, 1);
  return { modelJson, weightsBin: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
