import type { ParseArgsOptionsConfig } from 'node:util';
import { LabError } from '../shared/errors.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout is a terminal (progress bars, colours). */
  isTTY: boolean;
  /** Resolves when the user asks to stop (Ctrl+C); long-running commands wait on it. */
  interrupted: Promise<string>;
}

export type ParsedValues = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** A group of subcommands (`pdash dataset list`). */
export interface CommandGroup {
  name: string;
  summary: string;
  subcommands: readonly Command[];
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines and option descriptions, printed by `pdash <command> --help`. */
  help: string;
  options: ParseArgsOptionsConfig;
  positionals?: { min: number; max: number; names: string };
  run(values: ParsedValues, positionals: string[], io: CliIo): Promise<number>;
}

/** Options every command accepts. */
export const commonOptions: ParseArgsOptionsConfig = {
  lab: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

export const commonHelp = `  --lab DIR        the lab folder (default: $PDASH_LAB, else the app's user-data folder)
  -h, --help       show this help`;

/**
 * A command line the CLI itself cannot use (a bad or missing option, a malformed id): exit code 2. Bad input
 * the lab refuses (a corrupt file, a label out of range) stays a plain LabError and exits 1, as any failed command.
 */
export class UsageError extends LabError {
  constructor(message: string, hint?: string) {
    super('bad-request', message, hint);
    this.name = 'UsageError';
  }
}

export function stringOption(values: ParsedValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function integerOption(values: ParsedValues, name: string, min: number, max: number): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${raw}'.`);
  }
  return value;
}

/** A value that must be one of a fixed list (a task, a size, a format): anything else is a usage error. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got '${value}'.`);
  return value as T;
}

/** Refuses a command line that lacks required options, naming them all at once. */
export function requireOptions(values: ParsedValues, names: readonly string[]): void {
  const missing = names.filter((n) => typeof values[n] !== 'string' || values[n] === '');
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((n) => `--${n}`).join(', ')}.`, 'See --help for what each option takes.');
  }
}
