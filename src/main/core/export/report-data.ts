/**
 * Everything a report or a table export says about a comparison, gathered once from the lab: the comparison,
 * the runs' details, the experiments' settings with the configuration stored with their runs, the datasets
 * (with their content hashes) and the environment the runs ran in.
 */
import type { Comparison, DatasetSummary, ExperimentSummary, RunDetail } from '../../../shared/contract/index.ts';
import type { RunConfig } from '../../../shared/engine/index.ts';
import type { LabServices } from '../lab-services.ts';
import { labVersion } from '../version.ts';

export type ReportSelection = { experiment: number } | { runs: number[] };

export interface ReportData {
  title: string;
  selection: ReportSelection;
  comparison: Comparison;
  runs: RunDetail[];
  /** `engine`: the configuration stored with the experiment's runs (null: an older lab's it cannot read). */
  experiments: Array<ExperimentSummary & { engine: RunConfig | null }>;
  datasets: DatasetSummary[];
  environment: {
    labVersion: string;
    /** Node and platform of the process that wrote the report. */
    node: string;
    platform: string;
    /** Compute backends the runs used, with their threads and run ids. */
    backends: Array<{ backend: string; threads: number | null; runIds: number[] }>;
  };
  generatedAt: string;
}

export function collectReportData(core: LabServices, selection: ReportSelection, now: Date = new Date()): ReportData {
  const comparison = core.runs.compare(selection);
  const runs = comparison.runIds.map((id) => core.runs.runDetail(id));
  const experimentIds = [...new Set(runs.map((r) => r.experimentId))];
  const experiments = experimentIds.map((id) => {
    const e = core.runs.experiment(id);
    return { ...e, engine: core.runs.experimentConfig(id) };
  });
  const datasetIds = [...new Set(experiments.map((e) => e.dataset.id))];
  const datasets = datasetIds.map((id) => {
    const { folder: _folder, normalization: _normalization, classCounts: _counts, files: _files, ...summary } = core.datasets.get(id);
    return summary as DatasetSummary;
  });
  const backends = new Map<string, { backend: string; threads: number | null; runIds: number[] }>();
  for (const r of runs) {
    if (r.backend === null) continue;
    const key = `${r.backend}/${r.threads ?? ''}`;
    const entry = backends.get(key) ?? { backend: r.backend, threads: r.threads, runIds: [] };
    entry.runIds.push(r.id);
    backends.set(key, entry);
  }
  const title = 'experiment' in selection ? experiments[0]!.name : `Runs ${comparison.runIds.join(', ')}`;
  return {
    title,
    selection,
    comparison,
    runs,
    experiments,
    datasets,
    environment: { labVersion, node: process.version, platform: `${process.platform} ${process.arch}`, backends: [...backends.values()] },
    generatedAt: now.toISOString(),
  };
}
