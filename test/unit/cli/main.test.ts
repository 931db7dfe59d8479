import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabInfo } from '../../../src/shared/contract/index.ts';
import { runCli } from '../../helpers/cli.ts';
import { processGone } from '../../helpers/process.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

describe('pdash', () => {
  it('--help lists every command', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    for (const name of ['info', 'serve', 'help']) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('without a command prints the usage and exits non-zero', async () => {
    const { code, stdout } = await runCli([]);
    expect(code).toBe(2);
    expect(stdout).toContain('Usage: pdash <command>');
  });

  it('names an unknown command and exits 2', async () => {
    const { code, stderr } = await runCli(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toContain("unknown command 'frobnicate'");
    expect(stderr).toContain('pdash --help');
  });

  it('names a bad flag and exits 2', async () => {
    const { code, stderr } = await runCli(['info', '--verbose']);
    expect(code).toBe(2);
    expect(stderr).toContain("'--verbose'");
    expect(stderr).toContain('pdash info --help');
  });

  it('refuses a port that is not a number', async () => {
    const { code, stderr } = await runCli(['serve', '--port', '80a', '--lab', dir.path]);
    expect(code).toBe(2);
    expect(stderr).toContain('--port must be an integer');
  });

  it('help <command> prints that command\'s options', async () => {
    const { code, stdout } = await runCli(['help', 'serve']);
    expect(code).toBe(0);
    expect(stdout).toContain('--host');
  });

  it('info --json prints lab/info for the lab given by --lab', async () => {
    const lab = join(dir.path, 'my lab');
    const { code, stdout } = await runCli(['info', '--json', '--lab', lab]);
    expect(code).toBe(0);
    const info = LabInfo.parse(JSON.parse(stdout));
    expect(info.labDir).toBe(lab);
    expect(info.frontDoor).toBe('cli');
  });

  it('info uses PDASH_LAB when --lab is absent, and prints text by default', async () => {
    const { code, stdout } = await runCli(['info'], { env: { PDASH_LAB: dir.path } });
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^lab folder +${dir.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(stdout).toMatch(/\+ cpu/);
  });

  it('info on a folder whose lab.sqlite is not a database fails with a clear message and exit 1', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir.path, 'lab.sqlite'), 'not sqlite');
    const { code, stderr } = await runCli(['info', '--lab', dir.path]);
    expect(code).toBe(1);
    expect(stderr).toContain('not a readable lab database');
  });
});

describe('closing the lab', () => {
  it('stops a compute probe still in flight, so no worker outlives the core', async () => {
    const { LabCore } = await import('../../../src/main/core/lab-core.ts');
    const started: number[] = [];
    const { ForkWorkerHost } = await import('../../../src/main/core/runs/worker-host.ts');
    const fork = new ForkWorkerHost();
    const core = LabCore.open({
      labDir: dir.path,
      frontDoor: 'cli',
      workerHost: {
        kind: 'fork',
        start: (options) => {
          const worker = fork.start(options);
          started.push(worker.pid!);
          return worker;
        },
      },
    });
    const probe = core.compute();
    core.close();
    await expect(probe).rejects.toThrow('closed before the compute probe answered');
    expect(started).toHaveLength(1);
    // The kill was sent: the process goes.
    await processGone(started[0]!);
  });
});
