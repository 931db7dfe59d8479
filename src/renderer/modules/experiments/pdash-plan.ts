/**
 * P-DASH's rounds as the lab plans them: the new-experiment form's fields (an explicit keep schedule, or rounds
 * with a keep fraction, and the epochs each round searches), the request's `pdash` they become, and the plan a
 * run follows (candidates per layer in each round), which the cost estimate and the monitor's pruning timeline
 * show. The arithmetic is the engine's (`roundSizes` in src/worker/engine/search/prune.ts, `pdashPlan` in
 * pdash.ts), copied because the renderer cannot import the engine; a unit test holds the two together.
 */
import type { ExperimentRequest } from '../../../shared/contract/index.ts';
import type { ParseResult } from './experiment-form.ts';
import { PRESET_BUDGETS, PRESET_NAMES, presetGrid, type PresetName, type SearchGrid } from './presets.ts';

export interface PdashSettings {
  /** Candidates per layer in each round, then 1 (e.g. [16, 4, 1]); null: from rounds and keepFraction. */
  schedule: number[] | null;
  rounds: number;
  keepFraction: number;
  /** Search epochs of each round; null: half of DASH's search epochs (rounded up). */
  roundEpochs: number | null;
}

export interface PdashPlan {
  /** Candidates per layer searched in each round, then the final 1 (e.g. [16, 8, 4, 1]: three rounds). */
  sizes: number[];
  rounds: number;
  roundEpochs: number;
}

export type PdashRequest = NonNullable<ExperimentRequest['pdash']>;

/** The preset's P-DASH: no schedule, its rounds and keep fraction, half the search epochs per round. */
export function presetPdash(preset: PresetName): PdashSettings {
  return { schedule: null, rounds: PRESET_BUDGETS[preset].pdash.rounds, keepFraction: PRESET_BUDGETS[preset].pdash.keepFraction, roundEpochs: null };
}

/** "4 kernel sizes × 4 dilations" */
export function gridText(grid: SearchGrid): string {
  const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  return `${plural(grid.kernels.length, 'kernel size')} × ${plural(grid.dilations.length, 'dilation')}`;
}

/**
 * Candidates per layer in each round and the final 1, or why the settings cannot prune this many patterns.
 * `grid` only words the messages.
 */
export function roundSizes(patterns: number, settings: Pick<PdashSettings, 'schedule' | 'rounds' | 'keepFraction'>, grid?: SearchGrid): ParseResult<number[]> {
  const space = grid === undefined ? `${patterns} patterns per layer` : `${patterns} patterns per layer (${gridText(grid)})`;
  if (patterns < 2) return { ok: false, error: `P-DASH prunes between rounds, so it needs at least 2 patterns per layer; this search space has ${space}.` };
  const { schedule } = settings;
  if (schedule !== null) {
    if (schedule[0] !== patterns) {
      return { ok: false, error: `The schedule starts at the search space's ${space}: e.g. ${[patterns, Math.max(2, Math.ceil(patterns / 4)), 1].filter((v, i, all) => all.indexOf(v) === i).join(',')}.` };
    }
    if (schedule.length < 2 || schedule.at(-1) !== 1) return { ok: false, error: `The last round keeps one pattern per layer: end the schedule at 1, e.g. ${patterns},1.` };
    if (schedule.some((value, index) => index > 0 && value >= schedule[index - 1]!)) return { ok: false, error: 'Each round keeps fewer patterns than the one before.' };
    return { ok: true, value: [...schedule] };
  }
  const sizes = [patterns];
  for (let round = 1; round < settings.rounds; round++) {
    const previous = sizes[round - 1]!;
    const next = Math.ceil(previous * settings.keepFraction);
    if (next < 2 || next >= previous) {
      return {
        ok: false,
        error: `Keeping ${settings.keepFraction} of ${previous} patterns leaves ${next} for round ${round + 1} of ${settings.rounds}: choose fewer rounds, another keep fraction, or a schedule.`,
      };
    }
    sizes.push(next);
  }
  sizes.push(1);
  return { ok: true, value: sizes };
}

export function roundEpochsOf(settings: Pick<PdashSettings, 'roundEpochs'>, searchEpochs: number): number {
  return settings.roundEpochs ?? Math.ceil(searchEpochs / 2);
}

export function planPdash(patterns: number, settings: PdashSettings, searchEpochs: number, grid?: SearchGrid): ParseResult<PdashPlan> {
  const sizes = roundSizes(patterns, settings, grid);
  if (!sizes.ok) return sizes;
  return { ok: true, value: { sizes: sizes.value, rounds: sizes.value.length - 1, roundEpochs: roundEpochsOf(settings, searchEpochs) } };
}

/** "16 → 8 → 4 → 1" */
export function sizesText(sizes: readonly number[]): string {
  return sizes.join(' → ');
}

// ---- the form's fields ----

/** The keep schedule as written ("16,4,1"): patterns kept per layer after each round, decreasing. */
export function parseKeepSchedule(text: string): ParseResult<number[]> {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.some((part) => !/^\d+$/.test(part) || Number(part) < 1)) return { ok: false, error: 'Write the schedule as positive whole numbers, e.g. 16,4,1.' };
  const keep = parts.map(Number);
  if (keep.some((value, index) => index > 0 && value >= keep[index - 1]!)) return { ok: false, error: 'Each round keeps fewer patterns than the one before, e.g. 16,4,1.' };
  return { ok: true, value: keep };
}

/** The P-DASH inputs as they hold them (text). */
export interface PdashFields {
  /** Rounds with a keep fraction (the preset's way), or an explicit schedule. */
  mode: 'rounds' | 'schedule';
  schedule: string;
  rounds: string;
  keepFraction: string;
  /** Empty: half the search epochs. */
  roundEpochs: string;
}

export type PdashField = 'pdashSchedule' | 'pdashRounds' | 'pdashKeepFraction' | 'pdashRoundEpochs';

export function pdashFieldsOf(preset: PresetName): PdashFields {
  const { rounds, keepFraction } = PRESET_BUDGETS[preset].pdash;
  return { mode: 'rounds', schedule: '', rounds: String(rounds), keepFraction: String(keepFraction), roundEpochs: '' };
}

export const MAX_ROUNDS = 10;
export const MAX_ROUND_EPOCHS = 10_000;

export interface ParsedPdash {
  /** The rounds the runs will search, or null while a field is wrong. */
  plan: PdashPlan | null;
  /** The request's `pdash`: what differs from the preset (an explicit schedule is always sent); undefined when nothing does. */
  request: PdashRequest | undefined;
  errors: Partial<Record<PdashField, string>>;
}

export function parsePdash(fields: PdashFields, context: { preset: PresetName; grid: SearchGrid; searchEpochs: number }): ParsedPdash {
  const errors: ParsedPdash['errors'] = {};
  const preset = presetPdash(context.preset);
  const patterns = context.grid.kernels.length * context.grid.dilations.length;
  const request: PdashRequest = {};

  let roundEpochs: number | null = null;
  const epochsText = fields.roundEpochs.trim();
  if (epochsText !== '') {
    if (!/^\d+$/.test(epochsText) || Number(epochsText) < 1 || Number(epochsText) > MAX_ROUND_EPOCHS) {
      errors.pdashRoundEpochs = `Epochs per round: a whole number from 1 to ${MAX_ROUND_EPOCHS} (empty: half the search epochs, ${Math.ceil(context.searchEpochs / 2)}).`;
    } else {
      roundEpochs = Number(epochsText);
      request.roundEpochs = roundEpochs;
    }
  }

  let settings: PdashSettings | null = null;
  if (fields.mode === 'schedule') {
    const schedule = parseKeepSchedule(fields.schedule);
    if (!schedule.ok) errors.pdashSchedule = schedule.error;
    else {
      settings = { ...preset, schedule: schedule.value, roundEpochs };
      request.schedule = schedule.value;
    }
  } else {
    const roundsText = fields.rounds.trim();
    const fractionText = fields.keepFraction.trim();
    const rounds = Number(roundsText);
    const keepFraction = Number(fractionText);
    if (!/^\d+$/.test(roundsText) || rounds < 1 || rounds > MAX_ROUNDS) errors.pdashRounds = `Rounds: a whole number from 1 to ${MAX_ROUNDS}.`;
    if (fractionText === '' || !Number.isFinite(keepFraction) || keepFraction <= 0 || keepFraction >= 1) errors.pdashKeepFraction = 'Keep fraction: a number between 0 and 1, e.g. 0.5.';
    if (errors.pdashRounds === undefined && errors.pdashKeepFraction === undefined) {
      settings = { schedule: null, rounds, keepFraction, roundEpochs };
      if (rounds !== preset.rounds) request.rounds = rounds;
      if (keepFraction !== preset.keepFraction) request.keepFraction = keepFraction;
    }
  }

  let plan: PdashPlan | null = null;
  if (settings !== null) {
    const planned = planPdash(patterns, settings, context.searchEpochs, context.grid);
    if (planned.ok) plan = planned.value;
    else errors[fields.mode === 'schedule' ? 'pdashSchedule' : 'pdashRounds'] = planned.error;
  }
  if (errors.pdashRoundEpochs !== undefined) plan = null;
  return { plan, request: Object.keys(request).length > 0 ? request : undefined, errors };
}

// ---- a run's plan, read back from its configuration ----

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isPreset = (value: unknown): value is PresetName => typeof value === 'string' && (PRESET_NAMES as readonly string[]).includes(value);

/**
 * The rounds a P-DASH run was configured with (`RunDetail.config`: the preset and the overrides the lab stored),
 * for a search space of `patterns` per layer; null when the configuration does not say (an unknown preset).
 */
export function runPdashPlan(config: Record<string, unknown>, patterns: number): PdashPlan | null {
  if (!isPreset(config.preset)) return null;
  const overrides = isRecord(config.overrides) ? config.overrides : {};
  const pdash = isRecord(overrides.pdash) ? overrides.pdash : {};
  const search = isRecord(overrides.search) ? overrides.search : {};
  const preset = presetPdash(config.preset);
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) ? value : fallback);
  const settings: PdashSettings = {
    schedule: Array.isArray(pdash.schedule) && pdash.schedule.every((v) => typeof v === 'number') ? (pdash.schedule as number[]) : null,
    rounds: number(pdash.rounds, preset.rounds),
    keepFraction: number(pdash.keepFraction, preset.keepFraction),
    roundEpochs: typeof pdash.roundEpochs === 'number' ? pdash.roundEpochs : null,
  };
  const planned = planPdash(patterns, settings, number(search.epochs, PRESET_BUDGETS[config.preset].search.epochs));
  return planned.ok ? planned.value : null;
}

/** The grid a run searches: the grid its request named (stored in the overrides), else its preset's for data of this rank. */
export function runSearchGrid(config: Record<string, unknown>, rank: 1 | 2): SearchGrid | null {
  if (!isPreset(config.preset)) return null;
  const overrides = isRecord(config.overrides) ? config.overrides : {};
  const search = isRecord(overrides.search) ? overrides.search : {};
  const numbers = (value: unknown): value is number[] => Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'number');
  if (isRecord(search.grid) && numbers(search.grid.kernels) && numbers(search.grid.dilations)) return { kernels: [...search.grid.kernels], dilations: [...search.grid.dilations] };
  return presetGrid(config.preset, rank);
}
