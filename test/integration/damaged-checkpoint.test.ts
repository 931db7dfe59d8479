/**
 * A run whose checkpoint was damaged (cut short by a full disk or a bad copy), and temporaries left by workers
 * killed mid-write (issue #10), through the real front doors: `pdash resume` and `pdash export-arch` refuse in
 * one line that names the file, with exit code 1, and change nothing; the run restarts from the beginning once
 * the file is moved away; stale temporaries are swept when a run starts and when the lab opens.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { runCli } from '../helpers/cli.ts';
import { killedMidWrite } from '../helpers/dead-writer.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;
let datasetId: number;
let doneRun: number;
let good: Buffer;

beforeAll(async () => {
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
  datasetId = (await registerToyDataset(core.datasets)).id;
  const experiment = core.runs.create({ dataset: datasetId, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'finished' });
  await core.runs.startQueue({ experimentId: experiment.id }).idle();
  doneRun = experiment.runs[0]!.id;
  expect(core.runs.run(doneRun).status).toBe('done');
  good = readFileSync(checkpointOf(doneRun));
});

afterAll(() => {
  core?.close();
  dir?.remove();
});

const lab = () => core.paths.root;
const checkpointOf = (runId: number) => join(core.paths.runs, String(runId), 'checkpoint.pdck');
/** Byte offsets spread over the fixed header, the JSON header and the tensor data. */
const cuts = () => [0, 7, 12, 100, Math.floor(good.length / 2), good.length - 1];

describe('a truncated checkpoint', () => {
  it('export-arch --format tfjs: one line naming the file, exit 1, nothing written, the file kept', async () => {
    const path = checkpointOf(doneRun);
    try {
      for (const cut of cuts()) {
        writeFileSync(path, good.subarray(0, cut));
        const out = join(dir.path, `arch-${cut}`);
        const result = await runCli(['export-arch', String(doneRun), '--format', 'tfjs', '--out', out, '--lab', lab()]);
        expect(result.code, `cut at ${cut}`).toBe(1);
        const [line, hint] = result.stderr.split('\n');
        expect(line).toMatch(new RegExp(`^pdash export-arch: Run ${doneRun}'s checkpoint ${escape(path)} is damaged: truncated[^\\n]*\\.$`));
        expect(hint).toContain(`pdash export-arch ${doneRun} --format json`);
        expect(result.stderr).not.toMatch(/bug|at .*\.ts:\d+/);
        expect(existsSync(join(out, 'model.json'))).toBe(false);
        expect(readFileSync(path).length).toBe(cut);
      }
    } finally {
      writeFileSync(path, good);
    }
    expect((await runCli(['export-arch', String(doneRun), '--format', 'tfjs', '--out', join(dir.path, 'arch-ok'), '--lab', lab()])).code).toBe(0);
  });

  it('resume: refused in one line naming the file, exit 1, the run and the file unchanged; moved away, the run starts over and finishes', async () => {
    const experiment = core.runs.create({ dataset: datasetId, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'damaged' });
    const runId = experiment.runs[0]!.id;
    // The run as a killed worker leaves it: interrupted, with a checkpoint recorded and on disk.
    const path = checkpointOf(runId);
    mkdirSync(join(core.paths.runs, String(runId)));
    writeFileSync(path, good);
    core.db.prepare("UPDATE runs SET status = 'interrupted', checkpoint = (SELECT checkpoint FROM runs WHERE id = ?) WHERE id = ?").run(doneRun, runId);
    for (const cut of cuts()) {
      writeFileSync(path, good.subarray(0, cut));
      const result = await runCli(['resume', String(runId), '--lab', lab()]);
      expect(result.code, `cut at ${cut}`).toBe(1);
      const [line, hint] = result.stderr.split('\n');
      expect(line).toMatch(new RegExp(`^pdash resume: Run ${runId}'s checkpoint ${escape(path)} is damaged: truncated[^\\n]*\\.$`));
      expect(hint).toContain(`resume run ${runId}`);
      expect(core.runs.run(runId).status).toBe('interrupted');
      expect(readFileSync(path).length).toBe(cut);
    }
    expect(core.db.pragma('integrity_check', { simple: true })).toBe('ok');

    // What the hint says: move the file away and resume. A worker's stale temporary is swept when it starts.
    renameSync(path, `${path}.damaged`);
    const deadPid = await killedMidWrite(path);
    const result = await runCli(['resume', String(runId), '--lab', lab(), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const run = core.runs.run(runId);
    expect(run.status).toBe('done');
    expect(run.metric?.value).toBe(core.runs.run(doneRun).metric?.value);
    expect(readdirSync(join(core.paths.runs, String(runId))).sort()).toEqual(['checkpoint.pdck', 'checkpoint.pdck.damaged']);
    expect(existsSync(`${path}.tmp-${deadPid}`)).toBe(false);
  });
});

it('opening the lab sweeps checkpoint temporaries of dead workers, never a live one', async () => {
  const path = checkpointOf(doneRun);
  const deadPid = await killedMidWrite(path);
  writeFileSync(`${path}.tmp-${process.pid}`, 'being written');
  try {
    LabCore.open({ labDir: lab(), frontDoor: 'cli' }).close();
    expect(existsSync(`${path}.tmp-${deadPid}`)).toBe(false);
    expect(existsSync(`${path}.tmp-${process.pid}`)).toBe(true);
    expect(readFileSync(path)).toEqual(good);
  } finally {
    renameSync(`${path}.tmp-${process.pid}`, `${path}.kept`);
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
