import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../src/shared/errors.ts';
import { readCheckpointFile, sweepAllCheckpointTemporaries, sweepCheckpointTemporaries, writeCheckpointAtomically } from '../../../src/worker/checkpoint-file.ts';
import { encodeCheckpoint, type RunCheckpoint } from '../../../src/shared/engine/index.ts';
import { killedMidWrite } from '../../helpers/dead-writer.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

function sample(): RunCheckpoint {
  return {
    format: 'pdash-engine-checkpoint',
    version: 1,
    seed: 1,
    configHash: 'h',
    state: { phase: 'search', round: null, spaces: [[{ kernel: 3, dilation: 1 }]], nextEpoch: 2 },
    tensors: [{ name: 'net/w', dtype: 'float32', shape: [4, 4], data: new Float32Array(16).map((_, i) => i / 3) }],
  };
}

describe('checkpoint temporaries (issue #10)', () => {
  it('a writer killed mid-write leaves its temporary; the sweep removes it, the checkpoint and a live writer\'s temporary stay', async () => {
    const runDir = join(dir.path, 'runs', '7');
    mkdirSync(runDir, { recursive: true });
    const path = join(runDir, 'checkpoint.pdck');
    await writeCheckpointAtomically(path, encodeCheckpoint(sample()));
    const deadPid = await killedMidWrite(path);
    // This process is alive: its temporary stands for a worker writing right now.
    writeFileSync(`${path}.tmp-${process.pid}`, 'being written');
    expect(readdirSync(runDir).sort()).toEqual(['checkpoint.pdck', `checkpoint.pdck.tmp-${deadPid}`, `checkpoint.pdck.tmp-${process.pid}`].sort());
    expect(sweepCheckpointTemporaries(runDir)).toEqual([`checkpoint.pdck.tmp-${deadPid}`]);
    expect(readdirSync(runDir).sort()).toEqual(['checkpoint.pdck', `checkpoint.pdck.tmp-${process.pid}`].sort());
  });

  it('the lab-wide sweep visits every run folder and ignores other files', async () => {
    const runs = join(dir.path, 'runs');
    for (const id of ['1', '2']) mkdirSync(join(runs, id), { recursive: true });
    const deadPid = await killedMidWrite(join(runs, '1', 'checkpoint.pdck'));
    writeFileSync(join(runs, '2', `checkpoint.pdck.tmp-${deadPid}`), 'x');
    writeFileSync(join(runs, '2', `notes.tmp-${deadPid}`), 'not ours');
    expect(sweepAllCheckpointTemporaries(runs)).toBe(2);
    expect(readdirSync(join(runs, '1'))).toEqual([]);
    expect(readdirSync(join(runs, '2'))).toEqual([`notes.tmp-${deadPid}`]);
    expect(sweepAllCheckpointTemporaries(join(dir.path, 'no-such-folder'))).toBe(0);
  });
});

describe('readCheckpointFile', () => {
  it('refuses a checkpoint truncated at any of several offsets in one line naming the file, and leaves the file as it was', async () => {
    const bytes = encodeCheckpoint(sample());
    const path = join(dir.path, 'checkpoint.pdck');
    const dataStart = bytes.length - 16 * 4;
    for (const length of [0, 3, 11, 12, 20, dataStart - 1, dataStart, dataStart + 5, bytes.length - 1]) {
      writeFileSync(path, bytes.subarray(0, length));
      const error = await readCheckpointFile(path, 7, 'resume').then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, `cut at ${length}`).toBeInstanceOf(LabError);
      const labError = error as LabError;
      expect(labError.code).toBe('conflict');
      expect(labError.message).toMatch(new RegExp(`^Run 7's checkpoint ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged: truncated[^\\n]*\\.$`));
      expect(labError.hint).toContain('move the file away');
      expect(labError.message).not.toContain('bug');
      expect(readFileSync(path).length).toBe(length);
    }
    writeFileSync(path, bytes);
    expect((await readCheckpointFile(path, 7, 'export')).tensors[0]!.data).toEqual(sample().tensors[0]!.data);
  });

  it('a missing file says it cannot be read, with the reason', async () => {
    const path = join(dir.path, 'gone.pdck');
    await expect(readCheckpointFile(path, 3, 'export')).rejects.toThrow(`Run 3's checkpoint ${path} cannot be read (ENOENT).`);
    expect(existsSync(path)).toBe(false);
  });
});
