/**
 * The reference layers and tasks the benchmarks measure, derived from the engine's own vocabulary (the backbone
 * plans, the tasks' resolved settings and search spaces), so a benchmark layer cannot drift from the layer a search
 * builds:
 *
 * - `ninapro`: WRN-16-1 on NinaPro's 16 x 52 maps (18 classes), K {3,5,7,9} x D {1,3,7,15}.
 * - `darcy`: WRN-16-1 for dense prediction on Darcy's 85 x 85 fields (3 input channels), same space.
 * - `ecg`: the 1-D ResNet on ECG's length-1000 recordings (4 classes: 4 base channels), the default 1-D space
 *   K {3,7,11,15,19} x D {1,3,7,15}.
 * - `ecg-large`: the same layers with DASH's largest 1-D space, |K| = |D| = 7: K {3,5,...,15} x D {1,3,7,...,127}
 *   (issue #14's 10x goal is stated there).
 *
 * Each distinct searchable conv of a backbone (input size, channels, stride) is one benchmark layer; `slots` says how
 * many of the network's searchable convs share it.
 */
import {
  defaultSearchSpace,
  gridPatterns,
  planSlots,
  PRESETS,
  REFERENCE_NAMES,
  type ConvSlot,
  type ReferenceName,
  type SearchSpaceGrid,
  type TaskSpec,
} from '../../../shared/engine/index.ts';
import type { MixtureConvConfig } from '../ops/mixture-types.ts';
import { resolveSettings } from '../search/run-context.ts';


export interface ReferenceTask {
  name: ReferenceName;
  /** What the shape stands for, for people. */
  label: string;
  task: TaskSpec;
  grid: SearchSpaceGrid;
}

/** DASH's largest 1-D space (|K| = |D| = 7, K up to 15, D up to 127). */
export const LARGEST_1D_SPACE: SearchSpaceGrid = { kernels: [3, 5, 7, 9, 11, 13, 15], dilations: [1, 3, 7, 15, 31, 63, 127] };

const NINAPRO: TaskSpec = { kind: 'classification', metric: 'error', inputShape: [16, 52, 1], numClasses: 18 };
const DARCY: TaskSpec = { kind: 'dense-regression', metric: 'relative-l2', inputShape: [85, 85, 3], targetShape: [85, 85, 1] };
const ECG: TaskSpec = { kind: 'classification', metric: 'error', inputShape: [1000, 1], numClasses: 4 };

export function referenceTask(name: ReferenceName): ReferenceTask {
  switch (name) {
    case 'ninapro':
      return { name, label: 'NinaPro 16x52 (WRN-16-1)', task: NINAPRO, grid: defaultSearchSpace(2) };
    case 'darcy':
      return { name, label: 'Darcy 85x85 (WRN-16-1, dense)', task: DARCY, grid: defaultSearchSpace(2) };
    case 'ecg':
      return { name, label: 'ECG 1000 (ResNet1D)', task: ECG, grid: defaultSearchSpace(1) };
    case 'ecg-large':
      return { name, label: 'ECG 1000 (ResNet1D), DASH largest 1-D space', task: ECG, grid: LARGEST_1D_SPACE };
  }
}

/** One mixture layer to benchmark: its configuration and the input it gets (without the batch). */
export interface MixtureLayerCase {
  /** Unique, e.g. `ninapro stage2.block1.conv2 32->32 dw s2 @16x52`. */
  name: string;
  /** The reference it comes from, or 'custom'. */
  reference: ReferenceName | 'custom';
  /** Spatial size and channels of one sample: [L, C] or [H, W, C]. */
  sampleShape: number[];
  config: MixtureConvConfig;
  /** Searchable convs of the network that have exactly this layer. */
  slots: number;
  /** Batch size this layer is benchmarked at unless the caller gives one. */
  defaultBatch: number;
}

/** Default batch per reference: 32 (the quick preset's search batch), 4 for Darcy's 85 x 85 maps (DASH uses 10). */
function defaultBatchOf(name: ReferenceName): number {
  return name === 'darcy' ? 4 : 32;
}

/** The distinct searchable layers of a reference network, in forward order. */
export function referenceLayers(name: ReferenceName): MixtureLayerCase[] {
  const ref = referenceTask(name);
  const settings = resolveSettings(PRESETS.paper, ref.task);
  const shape = { backbone: settings.backbone, inChannels: ref.task.inputShape.at(-1)!, outputs: settings.outputs, widthFactor: PRESETS.paper.search.widthFactor, baseChannels: settings.baseChannels };
  const spatial = ref.task.inputShape.slice(0, -1);
  const rank = spatial.length as 1 | 2;
  const patterns = gridPatterns(ref.grid);
  const byKey = new Map<string, MixtureLayerCase>();
  for (const slot of planSlots(shape, spatial)) {
    if (slot.kind !== 'conv' || slot.searchable === null) continue;
    const conv: ConvSlot = slot;
    const depthwise = conv.inChannels === conv.outChannels;
    const key = `${conv.inSize.join('x')}|${conv.inChannels}|${conv.outChannels}|${conv.stride}`;
    const existing = byKey.get(key);
    if (existing !== undefined) {
      existing.slots++;
      continue;
    }
    const layerName = `${name} ${conv.name} ${conv.inChannels}->${conv.outChannels}${depthwise ? ' dw' : ''}${conv.stride > 1 ? ` s${conv.stride}` : ''} @${conv.inSize.join('x')}`;
    byKey.set(key, {
      name: layerName,
      reference: name,
      sampleShape: [...conv.inSize, conv.inChannels],
      config: { rank, inChannels: conv.inChannels, outChannels: conv.outChannels, stride: conv.stride, patterns, depthwise, bias: true },
      slots: 1,
      defaultBatch: defaultBatchOf(name),
    });
  }
  return [...byKey.values()];
}

/** Every reference's layers. */
export function allReferenceLayers(): MixtureLayerCase[] {
  return REFERENCE_NAMES.flatMap((n) => referenceLayers(n));
}

/**
 * The layers whose name contains any of the comma-separated terms (case-insensitive; a reference name such as
 * `ecg` or `darcy` selects its layers). Throws, listing the layers, when a term matches none.
 */
export function selectLayers(layers: readonly MixtureLayerCase[], filter: string | undefined): MixtureLayerCase[] {
  if (filter === undefined || filter.trim() === '') return [...layers];
  const terms = filter.split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== '');
  const matches = (layer: MixtureLayerCase, term: string): boolean =>
    (REFERENCE_NAMES as readonly string[]).includes(term) ? layer.reference === term : layer.name.toLowerCase().includes(term);
  for (const term of terms) {
    if (!layers.some((l) => matches(l, term))) {
      throw new Error(`no benchmark layer matches '${term}'; the layers are:\n  ${layers.map((l) => l.name).join('\n  ')}`);
    }
  }
  return layers.filter((l) => terms.some((t) => matches(l, t)));
}
