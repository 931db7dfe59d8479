/**
 * Custom budgets from the command line: `--config file.json` (a JSON object of overrides) and `--set path=value`
 * (repeatable, applied on top), turned into the experiment request's `overrides`, the same the new-experiment form
 * sends. They are checked here against the vocabulary's configuration (resolveConfig / mergeConfig), so a bad
 * setting is a usage error that names the flag which caused it rather than a refusal from the lab.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Preset } from '../shared/contract/index.ts';
import { PRESETS, resolveConfig, roundEpochsOf, type RunConfig, type RunConfigOverrides } from '../shared/engine/index.ts';
import { UsageError } from './command.ts';

/** One setting and where it came from (`--set search.epochs=30`, or `--config budget.json`). */
interface Setting {
  path: string[];
  value: unknown;
  source: string;
}

const SET_HINT = 'Write --set PATH=VALUE with a dotted path into the run configuration (e.g. search.epochs=30, retrain.batchSize=16, hpSearch.grid.lr=[0.1,0.01]) and a JSON value; quote strings, e.g. search.mixtureMethod=\'"fft"\'.';

/** Text from the command line or a file, shown on one line: control characters cannot drive the terminal. */
function printable(text: string): string {
  return text.replace(/\p{Cc}/gu, '?');
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** `search.epochs=30` -> a setting; the value must parse as JSON (number, boolean, null, array, string in quotes). */
export function parseSetFlag(text: string): Setting {
  const source = `--set ${printable(text)}`;
  const equals = text.indexOf('=');
  if (equals <= 0) throw new UsageError(`${source}: expected PATH=VALUE.`, SET_HINT);
  const path = text.slice(0, equals).trim().split('.');
  const raw = text.slice(equals + 1).trim();
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new UsageError(`${source}: '${printable(raw)}' is not a JSON value (a number, true, false, null, an array such as [3,5,7], or a string in double quotes).`, SET_HINT);
  }
  return { path, value, source };
}

/** The settings of a `--config` file: a JSON object of overrides, flattened to the paths the preset has. */
export function readConfigFile(file: string, cwd: string): Setting[] {
  const path = resolve(cwd, file);
  const source = `--config ${printable(file)}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${source}: cannot read ${printable(path)} (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}).`, 'Give a JSON file of overrides, e.g. {"search": {"epochs": 30}}.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON (${printable(error instanceof Error ? error.message : String(error))}).`, 'The file must hold one JSON object of overrides, e.g. {"search": {"epochs": 30}}.');
  }
  if (!isPlainObject(parsed)) {
    throw new UsageError(`${source}: expected a JSON object of overrides, got ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed}.`, 'e.g. {"search": {"epochs": 30}, "retrain": {"epochs": 40}}');
  }
  const settings: Setting[] = [];
  const flatten = (object: Record<string, unknown>, prefix: string[], base: unknown): void => {
    for (const [key, value] of Object.entries(object)) {
      const path = [...prefix, key];
      const below = isPlainObject(base) && Object.hasOwn(base, key) ? base[key] : undefined;
      // A grid replaces wholesale (mergeConfig), and a null setting has no fields to descend into.
      if (isPlainObject(value) && key !== 'grid' && isPlainObject(below)) flatten(value, path, below);
      else settings.push({ path, value, source });
    }
  };
  flatten(parsed, [], PRESETS.paper);
  return settings;
}

/** Checks that a path names a setting of the configuration; never a prototype key (`__proto__`, `constructor`). */
function checkPath(setting: Setting, base: RunConfig): void {
  const name = setting.path.join('.');
  if (setting.path.some((segment) => !/^[A-Za-z][A-Za-z0-9]*$/.test(segment))) throw new UsageError(`${setting.source}: '${printable(name)}' is not a setting path.`, SET_HINT);
  if (setting.path[0] === 'preset' || setting.path[0] === 'custom') throw new UsageError(`${setting.source}: '${name}' is not a budget setting; choose the preset with --preset.`);
  let node: unknown = base;
  for (const [i, segment] of setting.path.entries()) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) {
      const where = setting.path.slice(0, i + 1).join('.');
      throw new UsageError(`${setting.source}: unknown setting ${where}.`, isPlainObject(node) ? `${setting.path.slice(0, i).join('.') || 'The configuration'} has ${Object.keys(node).join(', ')}.` : SET_HINT);
    }
    node = node[segment];
    // Below a grid that the preset leaves to the task's default there is nothing to fill the other list from.
    if (node === null && i < setting.path.length - 1) {
      throw new UsageError(`${setting.source}: ${setting.path.slice(0, i + 1).join('.')} is null in the preset; set it whole (e.g. search.grid={"kernels":[3,5],"dilations":[1,2]}) or use --kernels/--dilations.`);
    }
  }
}

/** Adds one setting to the overrides; a grid set below its top starts from the preset's grid (grids replace whole). */
function apply(overrides: Record<string, unknown>, setting: Setting, base: RunConfig): void {
  let node = overrides;
  let baseNode: unknown = base;
  setting.path.forEach((segment, i) => {
    baseNode = isPlainObject(baseNode) ? baseNode[segment] : undefined;
    if (i === setting.path.length - 1) {
      node[segment] = structuredClone(setting.value);
      return;
    }
    if (!isPlainObject(node[segment])) node[segment] = segment === 'grid' && isPlainObject(baseNode) ? structuredClone(baseNode) : {};
    node = node[segment] as Record<string, unknown>;
  });
}

function tryResolve(preset: Preset, overrides: Record<string, unknown>): string | null {
  try {
    resolveConfig(preset, overrides as RunConfigOverrides);
    return null;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^config: /, '');
  }
}

/**
 * The overrides that `--config` and the `--set`s ask for, checked against the preset's configuration: an unknown
 * setting or a bad value is a usage error naming the flag (the first one that, applied in order, is refused).
 */
export function budgetOverrides(options: { preset: string | undefined; configFile: string | undefined; sets: readonly string[]; cwd: string }): Record<string, unknown> {
  const settings = [...(options.configFile === undefined ? [] : readConfigFile(options.configFile, options.cwd)), ...options.sets.map(parseSetFlag)];
  if (settings.length === 0) return {};
  const preset = Preset.safeParse(options.preset);
  // An unknown preset is refused with the request, naming the field; the paths are still checked against any preset.
  const base = preset.success ? PRESETS[preset.data] : PRESETS.paper;
  const overrides: Record<string, unknown> = {};
  for (const setting of settings) {
    checkPath(setting, base);
    apply(overrides, setting, base);
    if (!preset.success) continue;
    const refused = tryResolve(preset.data, overrides);
    if (refused !== null) throw new UsageError(`${setting.source}: ${refused}.`, 'Run `pdash run --help` for --set and --config.');
  }
  return overrides;
}

/** The resolved budget, one line per phase, as the runs will use it (null: the reference value for the task). */
export function budgetLines(config: RunConfig, methods: readonly string[]): string[] {
  const batch = (size: number | null): string => (size === null ? 'the task\'s default' : String(size));
  const s = config.search;
  const h = config.hpSearch;
  const r = config.retrain;
  const trials = h.grid.lr.length * h.grid.dropout.length * h.grid.weightDecay.length * h.grid.momentum.length;
  const lines = [
    `budget: ${config.preset}${config.custom ? ' (custom)' : ''}`,
    `  search     epochs ${s.epochs}${s.warmupEpochs > 0 ? ` (the first ${s.warmupEpochs} weights only)` : ''}, batch size ${batch(s.batchSize)}, ${s.stepsPerEpoch === null ? `${Math.round(s.batchFraction * 100)}% of the batches` : `${s.stepsPerEpoch} steps`} per epoch`,
  ];
  if (methods.includes('pdash')) lines.push(`  P-DASH     ${config.pdash.schedule ? `schedule ${config.pdash.schedule.join(' -> ')}` : `${config.pdash.rounds} rounds keeping ${config.pdash.keepFraction}`}, epochs per round ${roundEpochsOf(config.pdash, s)}${s.warmupEpochs > 0 ? ` (the warm-up before round 1)` : ''}`);
  if (methods.includes('random')) lines.push(`  random     epochs per sample ${config.random.epochsPerSample}, samples ${config.random.samples ?? 'DASH\'s search compute'}`);
  lines.push(`  hp-search  epochs ${h.epochs}, batch size ${batch(h.batchSize)}, ${trials} trial(s)`);
  lines.push(`  retrain    epochs ${r.epochs}, batch size ${batch(r.batchSize)}`);
  return lines;
}
