/**
 * SGD with momentum, optional Nesterov, and L2 weight decay, with PyTorch's `torch.optim.SGD` semantics
 * (dampening 0):
 *   g <- grad + wd * p
 *   buf <- g on the first step, then momentum * buf + g
 *   d <- g + momentum * buf (Nesterov) or buf
 *   p <- p - lr * d
 * A parameter that received no gradient in a step is skipped, as PyTorch skips a parameter whose grad is None.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedVariable } from '../backbones/network.ts';

export interface SgdSettings {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
}

export interface ParameterGroup {
  /** Base learning rate of the group (scaled by the schedule's factor at each step). */
  lr: number;
  parameters: readonly NamedVariable[];
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export class SgdOptimizer {
  private readonly groups: ParameterGroup[];
  private readonly settings: SgdSettings;
  /** Momentum buffers by parameter name; absent until the parameter's first step. */
  private readonly buffers = new Map<string, tf.Tensor>();

  constructor(groups: ParameterGroup[], settings: SgdSettings) {
    if (settings.momentum < 0 || settings.weightDecay < 0) {
      throw new Error(`SGD: momentum and weight decay must be >= 0, got momentum ${settings.momentum}, weight decay ${settings.weightDecay}`);
    }
    if (settings.nesterov && settings.momentum <= 0) throw new Error('SGD: Nesterov momentum requires momentum > 0');
    const seen = new Set<string>();
    for (const g of groups) {
      if (!(g.lr >= 0)) throw new Error(`SGD: learning rate must be >= 0, got ${g.lr}`);
      for (const p of g.parameters) {
        if (seen.has(p.name)) throw new Error(`SGD: parameter ${p.name} is in more than one group`);
        seen.add(p.name);
      }
    }
    this.groups = groups;
    this.settings = settings;
  }

  /** One update. `grads` is keyed by parameter name; `lrFactor` multiplies every group's base lr. */
  step(grads: ReadonlyMap<string, tf.Tensor>, lrFactor = 1): void {
    const { momentum, weightDecay, nesterov } = this.settings;
    for (const group of this.groups) {
      const lr = group.lr * lrFactor;
      for (const p of group.parameters) {
        const grad = grads.get(p.name);
        if (grad === undefined) continue;
        const previous = this.buffers.get(p.name);
        const next = tf.tidy((): tf.Tensor[] => {
          let g = weightDecay !== 0 ? tf.add(grad, tf.mul(p.variable, weightDecay)) : grad;
          let buf: tf.Tensor | null = null;
          if (momentum !== 0) {
            buf = previous === undefined ? tf.clone(g) : tf.add(tf.mul(previous, momentum), g);
            g = nesterov ? tf.add(g, tf.mul(buf, momentum)) : buf;
          }
          p.variable.assign(tf.sub(p.variable, tf.mul(g, lr)));
          // keep: the buffer must outlive any tidy scope the caller runs this step in.
          return buf === null ? [] : [tf.keep(buf)];
        })[0];
        if (next !== undefined) {
          previous?.dispose();
          this.buffers.set(p.name, next);
        }
      }
    }
  }

  /** Copies of the momentum buffers, named `momentum/<parameter>`, for checkpoints. The caller owns them. */
  stateTensors(): NamedTensor[] {
    return [...this.buffers.entries()].map(([name, t]) => ({ name: `momentum/${name}`, tensor: tf.clone(t) }));
  }

  /** Restores buffers written by `stateTensors` (copies them; the caller keeps ownership of its tensors). */
  loadState(tensors: readonly NamedTensor[]): void {
    const known = new Set(this.groups.flatMap((g) => g.parameters.map((p) => p.name)));
    for (const { name, tensor } of tensors) {
      if (!name.startsWith('momentum/')) continue;
      const param = name.slice('momentum/'.length);
      if (!known.has(param)) throw new Error(`SGD: checkpoint holds a momentum buffer for ${param}, which this optimiser does not train`);
      this.buffers.get(param)?.dispose();
      this.buffers.set(param, tf.clone(tensor));
    }
  }

  dispose(): void {
    for (const t of this.buffers.values()) t.dispose();
    this.buffers.clear();
  }
}
