/**
 * A run's checkpoint on disk, for the worker that writes it and the core that checks and exports it.
 * Writes are atomic: a temporary file named with the writer's pid, fsync, rename. A worker killed mid-write
 * leaves that temporary behind (the previous checkpoint stays intact), so temporaries of dead pids are swept
 * when a run starts and when the lab opens. Reads refuse a damaged file in one line that names it.
 */
import { readdirSync, rmSync } from 'node:fs';
import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../shared/errors.ts';
import { processAlive } from '../platform/process-alive.ts';
import { decodeCheckpoint, type RunCheckpoint } from '../shared/engine/index.ts';

export const CHECKPOINT_FILE = 'checkpoint.pdck';
const TEMPORARY = /^checkpoint\.pdck\.tmp-(\d+)$/;

export async function writeCheckpointAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, path);
}

/**
 * Removes checkpoint temporaries in a run folder whose writer is dead; those of a live process (a worker
 * writing right now) are kept. A pid reused by an unrelated live process only delays the sweep.
 */
export function sweepCheckpointTemporaries(runDir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(runDir);
  } catch {
    return []; // no folder yet: nothing to sweep
  }
  const removed: string[] = [];
  for (const name of entries) {
    const pid = Number(TEMPORARY.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    rmSync(join(runDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Sweeps every run folder of the lab (when it opens). */
export function sweepAllCheckpointTemporaries(runsDir: string): number {
  let runs: string[];
  try {
    runs = readdirSync(runsDir);
  } catch {
    return 0;
  }
  return runs.filter((name) => /^\d+$/.test(name)).reduce((n, name) => n + sweepCheckpointTemporaries(join(runsDir, name)).length, 0);
}

/** What a damaged checkpoint leaves the user to do, by what they were doing. */
const DAMAGED_HINTS = {
  resume: (runId: number) =>
    `Nothing was changed and the file was kept. To run it again from the beginning, move the file away (e.g. rename it to ${CHECKPOINT_FILE}.damaged) and resume run ${runId}.`,
  export: (runId: number) =>
    `Nothing was written and the file was kept; the run's trained weights were only in it. Export the architecture alone with \`pdash export-arch ${runId} --format json\` (or pytorch), or run the experiment again.`,
};

/** Reads and decodes a run's checkpoint; a damaged file is a LabError naming it and what is wrong. */
export async function readCheckpointFile(path: string, runId: number, purpose: keyof typeof DAMAGED_HINTS): Promise<RunCheckpoint> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    throw new LabError('unavailable', `Run ${runId}'s checkpoint ${path} cannot be read (${code}).`, 'Check the file and its permissions, then try again.');
  }
  try {
    return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^checkpoint: /, '').replace(/\s+/g, ' ');
    throw new LabError('conflict', `Run ${runId}'s checkpoint ${path} is damaged: ${reason}.`, DAMAGED_HINTS[purpose](runId));
  }
}
