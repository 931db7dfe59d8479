import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;

beforeEach(async () => {
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
  await registerToyDataset(core.datasets);
});
afterEach(() => {
  core.close();
  dir.remove();
});

describe('the compute backend of a run', () => {
  it("'auto' runs on the probe's fastest backend, which passed its smoke computation and has a measured probe step", async () => {
    const probe = await core.compute();
    const timed = probe.backends.filter((b) => b.available);
    expect(timed.length).toBeGreaterThan(0);
    for (const b of timed) expect(b.probeMs, b.name).toBeGreaterThan(0);
    const fastest = [...timed].sort((a, b) => a.probeMs! - b.probeMs!)[0]!;
    expect(probe.preferred).toBe(fastest.name);
    const experiment = await core.invoke('experiments/create', { dataset: 'toy', methods: ['backbone'], seeds: [0], preset: 'smoke' });
    await core.runs.startQueue({ experimentId: experiment.id, concurrency: 1 }).idle();
    const run = core.runs.experiment(experiment.id).runs[0]!;
    expect(run.status).toBe('done');
    expect(run.backend).toBe(probe.preferred);
    // Compare shows it per seed.
    const comparison = core.runs.compare({ experiment: experiment.id });
    expect(comparison.methods[0]!.values[0]!.backend).toMatch(new RegExp(`^${probe.preferred}`));
  });

  it('pdash run --backend cpu runs every run on the named backend and says so; an unknown name is refused before anything is created', async () => {
    const lab = core.paths.root;
    const result = await runCli(['run', '--lab', lab, '--dataset', 'toy', '--methods', 'backbone', '--seeds', '0', '--preset', 'smoke', '--backend', 'cpu']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^backend: cpu \(--backend\)$/m);
    const runs = core.runs.experiments(0, 10).items[0]!.runs;
    expect(runs.map((r) => [r.status, r.backend])).toEqual([['done', 'cpu']]);

    const refused = await runCli(['run', '--lab', lab, '--dataset', 'toy', '--methods', 'backbone', '--seeds', '0', '--preset', 'smoke', '--backend', 'cuda']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--backend cuda is not a compute backend.*auto or one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu/s);
    expect(core.runs.experiments(0, 10).total).toBe(1);
  });

  it('a webgpu run in a lab without a browser host fails at once, saying what to install', async () => {
    const bare = LabCore.open({ labDir: join(dir.path, 'bare'), frontDoor: 'cli', browserHost: null });
    try {
      await registerToyDataset(bare.datasets);
      const experiment = await bare.invoke('experiments/create', { dataset: 'toy', methods: ['backbone'], seeds: [0], preset: 'smoke', backend: 'webgpu' });
      await bare.runs.startQueue({ experimentId: experiment.id, concurrency: 1 }).idle();
      const run = bare.runs.experiment(experiment.id).runs[0]!;
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({ message: expect.stringMatching(/webgpu backend runs in a Chromium page/), hint: expect.stringMatching(/apt-get install chromium/) });
    } finally {
      bare.close();
    }
  });
});
