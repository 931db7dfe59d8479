/**
 * The `pdash` command: a thin front door onto the lab core.
 */
import { parseArgs } from 'node:util';
import { LabError } from '../shared/errors.ts';
import { labVersion } from '../main/core/index.ts';
import { UsageError, type CliIo, type Command, type CommandGroup } from './command.ts';
import { benchCommand } from './commands/bench.ts';
import { datasetGroup } from './commands/dataset.ts';
import { exportCommands } from './commands/export.ts';
import { doctorCommand } from './commands/doctor.ts';
import { infoCommand } from './commands/info.ts';
import { experimentsGroup, runCommands } from './commands/runs.ts';
import { serveCommand } from './commands/serve.ts';
import { setupGroup } from './commands/setup.ts';

export const commands: readonly (Command | CommandGroup)[] = [infoCommand, doctorCommand, datasetGroup, ...runCommands, experimentsGroup, ...exportCommands, serveCommand, benchCommand, setupGroup];

function isGroup(entry: Command | CommandGroup): entry is CommandGroup {
  return 'subcommands' in entry;
}

export function usage(): string {
  const lines: Array<[string, string]> = [];
  for (const entry of commands) {
    if (isGroup(entry)) for (const sub of entry.subcommands) lines.push([`${entry.name} ${sub.name}`, sub.summary]);
    else lines.push([entry.name, entry.summary]);
  }
  lines.push(['help', 'show help for a command (pdash help <command>)']);
  const width = Math.max(...lines.map(([name]) => name.length));
  return `P-DASH Lab ${labVersion}: neural architecture search (DASH, P-DASH) on your own 1-D and 2-D data.

Usage: pdash <command> [options]

Commands:
${lines.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`).join('\n')}

Every command takes --lab DIR (default: $PDASH_LAB, else the app's user-data folder) and --help.
`;
}

/** Runs the CLI; returns the exit code (0 ok, 1 the command failed, 2 a usage error). */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${labVersion}\n`);
    return 0;
  }
  if (first === 'help') {
    if (rest[0] === undefined) {
      io.stdout(usage());
      return 0;
    }
    const found = findCommand(rest, io);
    if (found === null) return 2;
    io.stdout(found.command.help + '\n');
    return 0;
  }
  const found = findCommand(argv, io);
  if (found === null) return 2;
  return runCommand(found.command, found.rest, io);
}

/** Resolves `name` or `group sub`; prints what is wrong and returns null when nothing matches. */
function findCommand(argv: readonly string[], io: CliIo): { command: Command; rest: string[] } | null {
  const [name, ...rest] = argv;
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined || name === undefined) {
    unknownCommand(name ?? '', io);
    return null;
  }
  if (!isGroup(entry)) return { command: entry, rest };
  const [subName, ...subRest] = rest;
  const names = entry.subcommands.map((s) => s.name).join(', ');
  if (subName === undefined || subName === '--help' || subName === '-h') {
    io.stderr(`pdash ${entry.name}: say which: ${names}.\nRun 'pdash ${entry.name} <${names.replaceAll(', ', '|')}> --help'.\n`);
    return null;
  }
  const sub = entry.subcommands.find((s) => s.name === subName);
  if (sub === undefined) {
    io.stderr(`pdash ${entry.name}: unknown subcommand '${subName}'; it has ${names}.\n`);
    return null;
  }
  return { command: { ...sub, name: `${entry.name} ${sub.name}` }, rest: subRest };
}

async function runCommand(command: Command, rest: readonly string[], io: CliIo): Promise<number> {

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...rest], options: command.options, strict: true, allowPositionals: command.positionals !== undefined });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    io.stderr(`pdash ${command.name}: ${reason}\nRun 'pdash ${command.name} --help' for its options.\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout(command.help + '\n');
    return 0;
  }
  const expected = command.positionals;
  if (expected !== undefined && (parsed.positionals.length < expected.min || parsed.positionals.length > expected.max)) {
    io.stderr(`pdash ${command.name}: expected ${expected.names}, got ${parsed.positionals.length} argument(s).\nRun 'pdash ${command.name} --help'.\n`);
    return 2;
  }
  try {
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (error) {
    const labError = LabError.wrap(error);
    io.stderr(`pdash ${command.name}: ${labError.message}\n${labError.hint ? `  ${labError.hint}\n` : ''}`);
    if (labError.code === 'internal' && labError.stack) io.stderr(`${labError.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

function unknownCommand(name: string, io: CliIo): number {
  io.stderr(`pdash: unknown command '${name}'. Run 'pdash --help' to see the commands.\n`);
  return 2;
}

/** The process-level entry used by bin/pdash.mjs. */
export async function runFromProcess(): Promise<void> {
  const interrupted = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  const io: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
    interrupted,
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
