/**
 * P-DASH's rounds as the lab plans them: the new-experiment form's fields (an explicit keep schedule, or rounds
 * with a keep fraction, and the epochs each round searches), the request's `pdash` they become, and the plan a
 * run follows (candidates per layer in each round), which the cost estimate shows; a run's own plan, for the
 * monitor, is read from what the lab stored (modules/monitor/run-plan.ts). The arithmetic is the engine
 * vocabulary's (src/shared/engine/rounds.ts), the same the engine runs.
 */
import type { ExperimentRequest, Preset } from '../../../shared/contract/index.ts';
import { planPdash, PRESETS, roundEpochsOf, type Outcome, type PdashConfig, type PdashPlan, type SearchSpaceGrid } from '../../../shared/engine/index.ts';

export type PdashRequest = NonNullable<ExperimentRequest['pdash']>;

// ---- the form's fields ----

/** The keep schedule as written ("16,4,1"): patterns kept per layer after each round, decreasing. */
export function parseKeepSchedule(text: string): Outcome<number[]> {
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

export function pdashFieldsOf(preset: Preset): PdashFields {
  const { rounds, keepFraction } = PRESETS[preset].pdash;
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

export function parsePdash(fields: PdashFields, context: { preset: Preset; grid: SearchSpaceGrid; search: { epochs: number; warmupEpochs: number } }): ParsedPdash {
  const errors: ParsedPdash['errors'] = {};
  const preset = PRESETS[context.preset].pdash;
  const patterns = context.grid.kernels.length * context.grid.dilations.length;
  const request: PdashRequest = {};

  let roundEpochs: number | null = null;
  const epochsText = fields.roundEpochs.trim();
  if (epochsText !== '') {
    if (!/^\d+$/.test(epochsText) || Number(epochsText) < 1 || Number(epochsText) > MAX_ROUND_EPOCHS) {
      errors.pdashRoundEpochs = `Epochs per round: a whole number from 1 to ${MAX_ROUND_EPOCHS} (empty: half the search epochs after the warm-up, ${roundEpochsOf({ roundEpochs: null }, context.search)}).`;
    } else {
      roundEpochs = Number(epochsText);
      request.roundEpochs = roundEpochs;
    }
  }

  let settings: PdashConfig | null = null;
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
    const planned = planPdash(patterns, settings, context.search, context.grid);
    if (planned.ok) plan = planned.value;
    else errors[fields.mode === 'schedule' ? 'pdashSchedule' : 'pdashRounds'] = planned.error;
  }
  if (errors.pdashRoundEpochs !== undefined) plan = null;
  return { plan, request: Object.keys(request).length > 0 ? request : undefined, errors };
}
