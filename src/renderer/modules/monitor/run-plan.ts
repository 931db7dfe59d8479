/**
 * A run's P-DASH rounds and search grid, read back from the configuration the lab stored with it
 * (`RunDetail.config`), for the monitor's progress panel and pruning timeline.
 */
import { Preset } from '../../../shared/contract/index.ts';
import { defaultSearchSpace, planPdash, PRESETS, type PdashConfig, type PdashPlan, type SearchSpaceGrid } from '../../../shared/engine/index.ts';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPreset = (value: unknown): value is Preset => Preset.safeParse(value).success;

/**
 * The rounds a P-DASH run was configured with (`RunDetail.config`: the preset and the overrides the lab stored),
 * for a search space of `patterns` per layer; null when the configuration does not say (an unknown preset).
 */
export function runPdashPlan(config: Record<string, unknown>, patterns: number): PdashPlan | null {
  if (!isPreset(config.preset)) return null;
  const overrides = isRecord(config.overrides) ? config.overrides : {};
  const pdash = isRecord(overrides.pdash) ? overrides.pdash : {};
  const search = isRecord(overrides.search) ? overrides.search : {};
  const preset = PRESETS[config.preset];
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  const settings: PdashConfig = {
    schedule: Array.isArray(pdash.schedule) && pdash.schedule.every((v) => typeof v === 'number') ? (pdash.schedule as number[]) : null,
    rounds: number(pdash.rounds, preset.pdash.rounds),
    keepFraction: number(pdash.keepFraction, preset.pdash.keepFraction),
    roundEpochs: typeof pdash.roundEpochs === 'number' ? pdash.roundEpochs : null,
  };
  const planned = planPdash(patterns, settings, number(search.epochs, preset.search.epochs));
  return planned.ok ? planned.value : null;
}

/** The grid a run searches: the grid its request named (stored in the overrides), else its preset's for data of this rank. */
export function runSearchGrid(config: Record<string, unknown>, rank: 1 | 2): SearchSpaceGrid | null {
  if (!isPreset(config.preset)) return null;
  const overrides = isRecord(config.overrides) ? config.overrides : {};
  const search = isRecord(overrides.search) ? overrides.search : {};
  const numbers = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number');
  if (isRecord(search.grid) && numbers(search.grid.kernels) && numbers(search.grid.dilations)) return { kernels: [...search.grid.kernels], dilations: [...search.grid.dilations] };
  const grid = PRESETS[config.preset].search.grid ?? defaultSearchSpace(rank);
  return { kernels: [...grid.kernels], dilations: [...grid.dilations] };
}
