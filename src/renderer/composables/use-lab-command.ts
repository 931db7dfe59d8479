import { useLabStore } from '../stores/lab.ts';

/** Quotes a path for the shell the lab runs on: POSIX single quotes, or double quotes on Windows. */
export function shellQuote(path: string, platform: string): string {
  if (/^[\w@%+=:,./\\-]+$/.test(path)) return path;
  if (platform.startsWith('win32')) return `"${path.replaceAll('"', '""')}"`;
  return `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * Spells a `pdash` command for this lab: with `--lab <folder>` once lab/info is known, because a lab served
 * with --lab is not the one a bare `pdash` command would open. Call it inside a computed or the template.
 */
export function useLabCommand(): (command: string) => string {
  const lab = useLabStore();
  if (lab.info === null && !lab.loading && lab.error === null) void lab.load();
  return (command) => (lab.info === null ? command : `${command} --lab ${shellQuote(lab.info.labDir, lab.info.platform)}`);
}
