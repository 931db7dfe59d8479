/**
 * Chosen architectures side by side: per method a layer x seed grid of (k, d) with the modal choice of each
 * layer and how many seeds agree on it, and a layer-by-layer diff of any two runs.
 */
import type { Comparison, Method, RunDetail, RunSummary } from '../contract/index.ts';
import { METHOD_ORDER, rowLabel } from './vocabulary.ts';

export interface LayerPattern {
  kernel: number;
  dilation: number;
}

/** Receptive field of one layer along an axis: d(k − 1) + 1. */
export function extent(p: LayerPattern): number {
  return p.dilation * (p.kernel - 1) + 1;
}

export function patternText(p: LayerPattern | null | undefined): string {
  return p ? `k${p.kernel} d${p.dilation}` : '–';
}

export interface GridCell extends LayerPattern {
  /** The same (k, d) as the layer's modal choice for this method. */
  agrees: boolean;
}

export interface MethodGrid {
  method: Method;
  label: string;
  /** Finished runs with an architecture, by seed. */
  runs: Array<{ runId: number; seed: number }>;
  /** rows[layer index in `layers`]: one cell per run (null when that run has no choice for the layer). */
  rows: Array<{
    layer: number;
    cells: Array<GridCell | null>;
    modal: (LayerPattern & { count: number; n: number; agreement: number }) | null;
  }>;
  /** Mean agreement over layers, in percent. */
  meanAgreement: number | null;
}

export interface ArchitectureGrid {
  layers: Array<{ layer: number; name: string }>;
  methods: MethodGrid[];
}

/** Slot names of the searchable layers (e.g. `stage2.block1.conv2`), from any run's alpha snapshots. */
export function layerNames(runs: readonly RunDetail[]): Map<number, string> {
  const names = new Map<number, string>();
  for (const run of runs) for (const snapshot of run.alpha.slice(0, 1)) for (const l of snapshot.layers) if (!names.has(l.layer)) names.set(l.layer, l.name);
  return names;
}

export function architectureGrid(comparison: Comparison, runs: readonly RunDetail[]): ArchitectureGrid {
  const byId = new Map(runs.map((r) => [r.id, r]));
  const names = layerNames(runs);
  const layerIds = [...new Set([...comparison.layers.map((l) => l.layer), ...runs.flatMap((r) => r.architecture?.map((a) => a.layer) ?? [])])].sort((a, b) => a - b);
  const methods = comparison.methods
    .map((m, index) => ({ m, index }))
    .filter(({ m }) => METHOD_ORDER.includes(m.method))
    .map(({ m, index }): MethodGrid => {
      const finished = [...m.values]
        .sort((a, b) => a.seed - b.seed || a.runId - b.runId)
        .map((v) => byId.get(v.runId))
        .filter((r): r is RunDetail => r !== undefined && r.architecture !== null);
      const rows = layerIds.map((layer) => {
        // The comparison's modal choice of this row (never pooled over the method's other configurations).
        const modalEntry = comparison.layers.find((l) => l.layer === layer)?.byRow.find((b) => b.row === index);
        const modal = modalEntry ? { kernel: modalEntry.kernel, dilation: modalEntry.dilation, count: modalEntry.count, n: modalEntry.n, agreement: modalEntry.agreement } : null;
        const cells = finished.map((r) => {
          const choice = r.architecture!.find((a) => a.layer === layer);
          if (choice === undefined) return null;
          return { kernel: choice.kernel, dilation: choice.dilation, agrees: modal !== null && modal.kernel === choice.kernel && modal.dilation === choice.dilation };
        });
        return { layer, cells, modal };
      });
      const agreements = rows.map((r) => r.modal?.agreement).filter((a): a is number => a !== undefined);
      return {
        method: m.method,
        label: rowLabel(m.method, m.configuration?.label ?? ''),
        runs: finished.map((r) => ({ runId: r.id, seed: r.seed })),
        rows,
        meanAgreement: agreements.length > 0 ? agreements.reduce((a, b) => a + b, 0) / agreements.length : null,
      };
    })
    .filter((g) => g.runs.length > 0);
  return { layers: layerIds.map((layer) => ({ layer, name: names.get(layer) ?? `layer ${layer}` })), methods };
}

export interface ArchitectureDiffRow {
  layer: number;
  name: string;
  a: LayerPattern | null;
  b: LayerPattern | null;
  same: boolean;
  /** Receptive field of b minus that of a (null when either is missing). */
  extentChange: number | null;
}

export interface ArchitectureDiff {
  a: { runId: number; method: Method; seed: number; archId: string | null };
  b: { runId: number; method: Method; seed: number; archId: string | null };
  rows: ArchitectureDiffRow[];
  /** Layers whose (k, d) differ. */
  differing: number;
}

/** Layer by layer, the choices of two runs and where they differ. */
export function architectureDiff(a: RunSummary, b: RunSummary, names: ReadonlyMap<number, string> = new Map()): ArchitectureDiff {
  const layers = [...new Set([...(a.architecture ?? []), ...(b.architecture ?? [])].map((l) => l.layer))].sort((x, y) => x - y);
  const rows = layers.map((layer): ArchitectureDiffRow => {
    const pa = a.architecture?.find((l) => l.layer === layer) ?? null;
    const pb = b.architecture?.find((l) => l.layer === layer) ?? null;
    const same = pa !== null && pb !== null && pa.kernel === pb.kernel && pa.dilation === pb.dilation;
    return {
      layer,
      name: names.get(layer) ?? `layer ${layer}`,
      a: pa && { kernel: pa.kernel, dilation: pa.dilation },
      b: pb && { kernel: pb.kernel, dilation: pb.dilation },
      same,
      extentChange: pa && pb ? extent(pb) - extent(pa) : null,
    };
  });
  const side = (r: RunSummary) => ({ runId: r.id, method: r.method, seed: r.seed, archId: r.archId });
  return { a: side(a), b: side(b), rows, differing: rows.filter((r) => !r.same).length };
}
