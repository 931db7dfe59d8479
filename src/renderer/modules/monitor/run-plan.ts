/**
 * A run's P-DASH rounds and search grid, read from the configuration the lab stored with it when its experiment
 * was created (`RunDetail.config`, a RunConfig), for the monitor's progress panel and pruning timeline. Nothing
 * here looks at a preset: what the run was created with is what it shows, whatever the presets say today.
 */
import { defaultSearchSpace, planPdash, type PdashConfig, type PdashPlan, type SearchSpaceGrid } from '../../../shared/engine/index.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumbers = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number');
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** The stored P-DASH settings and search epochs, or null when the configuration does not hold them. */
function storedPdash(config: Record<string, unknown> | null): { pdash: PdashConfig; search: { epochs: number; warmupEpochs: number } } | null {
  if (config === null || !isRecord(config.pdash) || !isRecord(config.search)) return null;
  const { schedule, rounds, keepFraction, roundEpochs } = config.pdash;
  const { epochs, warmupEpochs } = config.search;
  if (!isCount(rounds) || !isCount(keepFraction) || !isCount(epochs)) return null;
  return {
    pdash: { schedule: isNumbers(schedule) ? schedule : null, rounds, keepFraction, roundEpochs: isCount(roundEpochs) ? roundEpochs : null },
    // Runs stored before the warm-up existed had none.
    search: { epochs, warmupEpochs: isCount(warmupEpochs) ? warmupEpochs : 0 },
  };
}

/**
 * The rounds a P-DASH run was created with, for a search space of `patterns` per layer: the vocabulary's plan of
 * its stored `pdash` and `search.epochs`. null when the configuration does not say or does not fit.
 */
export function runPdashPlan(config: Record<string, unknown> | null, patterns: number): PdashPlan | null {
  const stored = storedPdash(config);
  if (stored === null) return null;
  const planned = planPdash(patterns, stored.pdash, stored.search);
  return planned.ok ? planned.value : null;
}

/**
 * The grid a run searches: its stored `search.grid`, or (stored as null: DASH's reference for the task) the
 * default search space for data of this rank. null when the configuration does not say.
 */
export function runSearchGrid(config: Record<string, unknown> | null, rank: 1 | 2): SearchSpaceGrid | null {
  if (config === null || !isRecord(config.search)) return null;
  const { grid } = config.search;
  if (grid === null) return defaultSearchSpace(rank);
  if (isRecord(grid) && isNumbers(grid.kernels) && isNumbers(grid.dilations)) return { kernels: [...grid.kernels], dilations: [...grid.dilations] };
  return null;
}
