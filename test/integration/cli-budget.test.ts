import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let lab: string;

beforeEach(async () => {
  dir = tempDir();
  lab = join(dir.path, 'lab');
  const core = LabCore.open({ labDir: lab, frontDoor: 'cli' });
  try {
    await registerToyDataset(core.datasets);
  } finally {
    core.close();
  }
});
afterEach(() => dir.remove());

const base = (): string[] => ['run', '--lab', lab, '--dataset', 'toy', '--methods', 'backbone', '--seeds', '0', '--preset', 'smoke'];

function storedConfigs(): Array<Record<string, Record<string, unknown>>> {
  const core = LabCore.open({ labDir: lab, frontDoor: 'cli' });
  try {
    return (core.db.prepare('SELECT config FROM runs ORDER BY id').pluck().all() as string[]).map((c) => JSON.parse(c) as Record<string, Record<string, unknown>>);
  } finally {
    core.close();
  }
}

describe('pdash run --set / --config: custom budgets from the command line', () => {
  it('a smoke run with --set retrain.epochs=1 stores it in the run\'s configuration and prints the budget first', async () => {
    const configFile = join(dir.path, 'budget.json');
    writeFileSync(configFile, JSON.stringify({ retrain: { epochs: 5, batchSize: 4 }, hpSearch: { grid: { lr: [0.05], dropout: [0], weightDecay: [5e-4], momentum: [0.9] } } }));
    const result = await runCli([...base(), '--config', configFile, '--set', 'retrain.epochs=1', '--set', 'hpSearch.epochs=1']);
    expect(result.code).toBe(0);
    const [config] = storedConfigs();
    // --set applies on top of --config; the rest of the file and of the preset stay.
    expect(config!.retrain!.epochs).toBe(1);
    expect(config!.retrain!.batchSize).toBe(4);
    expect((config!.hpSearch!.grid as { lr: number[] }).lr).toEqual([0.05]);
    expect(config!.search!.epochs).toBe(2);
    expect(config!.custom).toBe(true);
    expect(result.stderr).toContain('budget: smoke (custom)');
    expect(result.stderr).toMatch(/^ {2}retrain +epochs 1, batch size 4$/m);
    expect(result.stderr).toMatch(/^ {2}hp-search +epochs 1, batch size 8, 1 trial\(s\)$/m);
    expect(result.stderr.indexOf('budget:')).toBeGreaterThan(result.stderr.indexOf('Experiment 1: 1 run(s)'));
  });

  it('a grid entry set below its top keeps the preset\'s other lists', async () => {
    const result = await runCli([...base(), '--set', 'hpSearch.grid.lr=[0.2]', '--set', 'retrain.epochs=1', '--set', 'hpSearch.epochs=1']);
    expect(result.code).toBe(0);
    expect(storedConfigs()[0]!.hpSearch!.grid).toEqual({ lr: [0.2], dropout: [0], weightDecay: [5e-4], momentum: [0.9] });
  });

  it.each([
    [['--set', 'search.epochz=3'], '--set search.epochz=3: unknown setting search.epochz'],
    [['--set', 'serch.epochs=3'], '--set serch.epochs=3: unknown setting serch'],
    [['--set', 'search.epochs=-1'], '--set search.epochs=-1: search.epochs must be a non-negative integer, got -1'],
    [['--set', 'retrain.epochs=0'], '--set retrain.epochs=0: retrain.epochs must be a positive integer, got 0'],
    [['--set', 'search.epochs=thirty'], "--set search.epochs=thirty: 'thirty' is not a JSON value"],
    [['--set', 'search.epochs'], '--set search.epochs: expected PATH=VALUE'],
    [['--set', '__proto__.x=1'], "'__proto__.x' is not a setting path"],
    [['--set', 'search.constructor=1'], 'unknown setting search.constructor'],
    [['--set', 'preset="paper"'], 'choose the preset with --preset'],
    [['--preset', 'quick', '--set', 'search.grid.kernels=[3]'], 'search.grid is null in the preset'],
    [['--set', 'search.epochs=1', '--set', 'hpSearch.grid.lr=[]'], '--set hpSearch.grid.lr=[]: hpSearch.grid.lr must not be empty'],
  ])('refuses %j with exit 2, naming the flag', async (flags, message) => {
    const result = await runCli([...base(), ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
    expect(storedConfigs()).toEqual([]);
  });

  it.each([
    ['missing.json', null, 'cannot read', 'no such file'],
    ['bad.json', '{"search": {"epochs": 3', 'not valid JSON', ''],
    ['array.json', '[1, 2]', 'expected a JSON object of overrides, got an array', ''],
    ['unknown.json', '{"retrain": {"epoch": 3}}', 'unknown setting retrain.epoch', ''],
    ['value.json', '{"search": {"batchFraction": 2}}', 'search.batchFraction must be in (0, 1], got 2', ''],
  ])('refuses --config %s with exit 2, naming the file', async (name, content, message, detail) => {
    const file = join(dir.path, name);
    if (content !== null) writeFileSync(file, content);
    const result = await runCli([...base(), '--config', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--config ${file}: `);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(detail);
    expect(storedConfigs()).toEqual([]);
  });

  it('--help documents --set and --config', async () => {
    const { code, stdout } = await runCli(['run', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--set PATH=VALUE');
    expect(stdout).toContain('--config FILE');
    expect(stdout).toContain('--set search.epochs=30');
  });
});
