/**
 * From chosen patterns to the network that gets trained: the architecture spec on the task's backbone, and the
 * `architecture` event that announces it. Shared by every method.
 */
import { architectureCost } from '../arch/cost.ts';
import { archId, searchableLayerCount, type ArchitectureSource, type ArchitectureSpec, type KernelPattern } from '../../../shared/engine/index.ts';
import type { RunContext } from './run-context.ts';
import { specFromChoices } from './select.ts';

/** The 2-D backbone's own layers: 3x3, dilation 1, everywhere (WRN-16). */
export const BACKBONE_PATTERN: Readonly<KernelPattern> = { kernel: 3, dilation: 1 };

/**
 * The 1-D backbone's own layers, as the reference code's ResNet1D (sjunhongshen/DASH, src/networks/wrn1d.py): kernels
 * 8, 5, 3 in each of its three blocks, dilation 1 (receptive field 1 + 3 (7 + 4 + 2) = 40).
 */
export const RESNET1D_BLOCK_KERNELS: readonly number[] = [8, 5, 3];

/**
 * The spec of the chosen patterns on the task's backbone at a WRN width factor (default: the retrain width);
 * 1-D convs are causal, as DASH retrains them.
 */
export function specOf(ctx: RunContext, choices: readonly KernelPattern[], widthFactor = ctx.config.retrain.widthFactor): ArchitectureSpec {
  const { settings, task } = ctx;
  const base: Omit<ArchitectureSpec, 'layers'> =
    settings.backbone === 'resnet1d'
      ? { backbone: 'resnet1d', rank: 1, inChannels: task.inputShape.at(-1)!, outputs: settings.outputs, baseChannels: settings.baseChannels, padding: 'causal' }
      : { backbone: settings.backbone, rank: 2, inChannels: task.inputShape.at(-1)!, outputs: settings.outputs, widthFactor, padding: 'same' };
  return specFromChoices(choices, base);
}

/** The spec DASH retrains: the chosen patterns on the retrain-width backbone. */
export function retrainSpec(ctx: RunContext, choices: readonly KernelPattern[]): ArchitectureSpec {
  return specOf(ctx, choices);
}

/** The backbone baseline's choices: its default layers, unsearched. */
export function backboneChoices(ctx: RunContext): KernelPattern[] {
  const layers = searchableLayerCount(ctx.settings.backbone);
  if (ctx.settings.backbone === 'resnet1d') return Array.from({ length: layers }, (_, i) => ({ kernel: RESNET1D_BLOCK_KERNELS[i % RESNET1D_BLOCK_KERNELS.length]!, dilation: 1 }));
  return Array.from({ length: layers }, () => ({ ...BACKBONE_PATTERN }));
}

export function announceArchitecture(ctx: RunContext, spec: ArchitectureSpec, selection: ArchitectureSource): void {
  const cost = architectureCost(spec, ctx.task.inputShape.slice(0, -1));
  ctx.emit({ type: 'architecture', selection, spec, archId: archId(spec), parameters: cost.parameters, flops: cost.flops });
}
