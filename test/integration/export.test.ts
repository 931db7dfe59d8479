/**
 * Exports through the front doors, on labs with real runs: `pdash export` and `pdash export-arch` (files, exit
 * codes, errors) and the `export/report` / `export/architecture` channels. The TF.js export of a real smoke run
 * (forked worker, checkpoint on disk) is loaded back and compared with the engine's network restored from the
 * same checkpoint.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from '../../src/main/core/export/pdf.ts';
import { markdownTables } from '../../src/main/core/export/tables.ts';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { LabError } from '../../src/shared/errors.ts';
import { decodeCheckpoint, entriesUnder, parseArchitectureSpec, SeededRandom } from '../../src/shared/engine/index.ts';
import { buildNetwork } from '../../src/worker/engine/backbones/build.ts';
import { restoreVariables } from '../../src/worker/engine/search/checkpoint-tensors.ts';
import { runCli } from '../helpers/cli.ts';
import { openComparisonLab, type ComparisonLab } from '../helpers/comparison-lab.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;
let experimentId: number;
let runIds: number[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
  const dataset = await registerToyDataset(core.datasets);
  const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0, 1], preset: 'smoke', name: 'toy smoke' });
  await core.runs.startQueue({ experimentId: experiment.id }).idle();
  experimentId = experiment.id;
  runIds = experiment.runs.map((r) => r.id);
  for (const id of runIds) expect(core.runs.run(id).status).toBe('done');
});

afterAll(() => {
  core?.close();
  dir?.remove();
});

const lab = () => core.paths.root;

describe('pdash export-arch on a real run', () => {
  it('tfjs: model.json + weights.bin load with tf.loadLayersModel and predict what the engine network restored from the checkpoint predicts', async () => {
    const out = join(dir.path, 'arch-tfjs');
    const result = await runCli(['export-arch', String(runIds[0]), '--format', 'tfjs', '--out', out, '--lab', lab(), '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const written = JSON.parse(result.stdout) as { files: Array<{ path: string; bytes: number }> };
    expect(written.files.map((f) => f.path)).toEqual([join(out, 'model.json'), join(out, 'weights.bin')]);

    const modelJson = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>; userDefinedMetadata: { pdash: { spec: unknown; bestEpoch: number } } };
    const bin = readFileSync(join(out, 'weights.bin'));
    const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer }));

    // The engine's own network: the run's spec, with the checkpoint's best-on-validation weights.
    const spec = parseArchitectureSpec(JSON.parse(core.log.architecture(runIds[0]!)!.spec));
    expect(modelJson.userDefinedMetadata.pdash.spec).toEqual(spec);
    expect(spec.padding).toBe('causal');
    const checkpoint = decodeCheckpoint(new Uint8Array(readFileSync(join(core.paths.runs, String(runIds[0]), 'checkpoint.pdck'))));
    const net = buildNetwork(spec, new SeededRandom(0));
    try {
      restoreVariables(net.variables, entriesUnder(checkpoint.tensors, 'best'));
      const x = tf.tensor(new SeededRandom(11).uniformArray(8 * 32, -2, 2), [8, 32, 1]);
      const exported = (model.predict(x) as tf.Tensor).arraySync() as number[][];
      const engine = tf.tidy(() => net.forward(x, { training: false, dropout: 0, rng: new SeededRandom(0) }).arraySync()) as number[][];
      const scale = Math.max(...engine.flat().map(Math.abs));
      exported.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - engine[i]![j]!)).toBeLessThan(1e-5 * scale + 1e-6)));
      tf.dispose(x);
    } finally {
      net.dispose();
      model.dispose();
    }
  });

  it('json and pytorch write architecture.json and model.py into the folder', async () => {
    const out = join(dir.path, 'arch-other');
    expect((await runCli(['export-arch', String(runIds[1]), '--format', 'json', '--out', out, '--lab', lab()])).code).toBe(0);
    const py = await runCli(['export-arch', String(runIds[1]), '--format', 'pytorch', '--out', out, '--lab', lab()]);
    expect(py.code).toBe(0);
    expect(py.stdout).toBe(`Wrote ${join(out, 'model.py')} (${(readFileSync(join(out, 'model.py')).byteLength / 1024).toFixed(1)} KiB).\n`);
    const record = JSON.parse(readFileSync(join(out, 'architecture.json'), 'utf8')) as { archId: string; run: { id: number } };
    expect(record.run.id).toBe(runIds[1]);
    expect(record.archId).toBe(core.runs.run(runIds[1]!).archId);
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toContain(`padding='causal'`);
  });
});

describe('pdash export on a real experiment', () => {
  it('html: a self-contained report with the charts as SVG; a folder as --out gets the default name', async () => {
    const out = join(dir.path, 'reports');
    mkdirSync(out);
    const result = await runCli(['export', String(experimentId), '--format', 'html', '--out', out, '--lab', lab()]);
    expect(result.code).toBe(0);
    const html = readFileSync(join(out, `pdash-experiment-${experimentId}.html`), 'utf8');
    expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(5);
    expect(html).toContain(core.datasets.get('toy').contentHash);
  });

  it('md, latex and csv write the same tables the exporters build', async () => {
    const md = join(dir.path, 'tables', 'results.md');
    expect((await runCli(['export', String(experimentId), '--format', 'md', '--out', md, '--lab', lab()])).code).toBe(0);
    expect(readFileSync(md, 'utf8')).toBe(markdownTables({ title: 'toy smoke', comparison: core.runs.compare({ experiment: experimentId }), key: `experiment-${experimentId}` }));
    const csv = join(dir.path, 'tables', 'runs.csv');
    expect((await runCli(['export', '--runs', runIds.join(','), '--format', 'csv', '--out', csv, '--lab', lab()])).code).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n').filter((l) => l.startsWith('run,'))).toHaveLength(2);
    const tex = join(dir.path, 'tables', 'table.tex');
    expect((await runCli(['export', String(experimentId), '--format', 'latex', '--out', tex, '--lab', lab()])).code).toBe(0);
    expect(readFileSync(tex, 'utf8')).toContain('\\toprule');
  });

  const chromium = (() => {
    try {
      return findChromium(process.env);
    } catch {
      return null;
    }
  })();

  it.skipIf(chromium === null)('pdf: printed by Chromium', async () => {
    const out = join(dir.path, 'report.pdf');
    const result = await runCli(['export', String(experimentId), '--format', 'pdf', '--out', out, '--lab', lab()], { env: { PDASH_CHROMIUM: chromium! } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const pdf = readFileSync(out);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.byteLength).toBeGreaterThan(10_000);
  });

  it('pdf without a Chromium: a clear error, exit 1, nothing written', async () => {
    const out = join(dir.path, 'missing.pdf');
    const result = await runCli(['export', String(experimentId), '--format', 'pdf', '--out', out, '--lab', lab()], { env: { PDASH_CHROMIUM: join(dir.path, 'no-such-chromium') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`PDASH_CHROMIUM is set to ${join(dir.path, 'no-such-chromium')}, which does not exist.`);
    expect(result.stderr).toContain('export --format html and print it to PDF from a browser');
    expect(existsSync(out)).toBe(false);
  });
});

describe('export errors through the CLI', () => {
  it('a bad format, missing options or arguments: usage errors (exit 2)', async () => {
    const bad = await runCli(['export', String(experimentId), '--format', 'docx', '--out', join(dir.path, 'x'), '--lab', lab()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("pdash export: --format must be one of html, pdf, md, latex, csv, got 'docx'.\n");
    const badArch = await runCli(['export-arch', String(runIds[0]), '--format', 'onnx', '--out', join(dir.path, 'x'), '--lab', lab()]);
    expect(badArch.code).toBe(2);
    expect(badArch.stderr).toBe("pdash export-arch: --format must be one of json, tfjs, pytorch, got 'onnx'.\n");
    const noOut = await runCli(['export', String(experimentId), '--format', 'md', '--lab', lab()]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('missing --out');
    const neither = await runCli(['export', '--format', 'md', '--out', join(dir.path, 'x'), '--lab', lab()]);
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('Give an experiment id or --runs');
    expect((await runCli(['export-arch', '--format', 'json', '--out', join(dir.path, 'x'), '--lab', lab()])).code).toBe(2);
  });

  it('a missing run or experiment: not found (exit 1)', async () => {
    const run = await runCli(['export-arch', '999', '--format', 'json', '--out', join(dir.path, 'x'), '--lab', lab()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('pdash export-arch: No run 999 in this lab.\n  See the runs of an experiment with `pdash experiments show ID`.\n');
    const experiment = await runCli(['export', '999', '--format', 'md', '--out', join(dir.path, 'x'), '--lab', lab()]);
    expect(experiment.code).toBe(1);
    expect(experiment.stderr).toContain('No experiment 999 in this lab.');
  });

  it('an unwritable path: says which path and why (exit 1)', async () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'not a folder');
    const report = await runCli(['export', String(experimentId), '--format', 'md', '--out', join(file, 'report.md'), '--lab', lab()]);
    expect(report.code).toBe(1);
    expect(report.stderr.split('\n')[0]).toBe(`pdash export: Cannot write ${join(file, 'report.md')}: part of the path is a file, not a folder (EEXIST)`);
    expect(report.stderr).toContain('Choose a path you can write to with --out.');
    const arch = await runCli(['export-arch', String(runIds[0]), '--format', 'json', '--out', file, '--lab', lab()]);
    expect(arch.code).toBe(2);
    expect(arch.stderr).toContain(`--out ${file} is a file; export-arch writes into a folder.`);
  });
});

describe('export channels', () => {
  let fixture: ComparisonLab;
  let fixtureDir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    fixtureDir = tempDir();
    fixture = await openComparisonLab(fixtureDir.path, { publishedTask: 'ecg' });
  });

  afterAll(() => {
    fixture.core.close();
    fixtureDir.remove();
  });

  it('export/report answers a file: text as UTF-8, named after the selection', async () => {
    const file = (await fixture.core.request('export/report', { experiment: fixture.experimentId, format: 'md' })) as { name: string; mediaType: string; encoding: string; content: string; bytes: number };
    expect(file).toMatchObject({ name: `pdash-experiment-${fixture.experimentId}.md`, mediaType: 'text/markdown', encoding: 'utf8' });
    expect(file.content).toContain('**5.90 ± 0.10**');
    expect(file.bytes).toBe(Buffer.byteLength(file.content));
    const byRuns = (await fixture.core.request('export/report', { runs: fixture.runIds.slice(0, 2), format: 'csv' })) as { name: string; content: string };
    expect(byRuns.name).toBe('pdash-runs-1-2.csv');
    expect(byRuns.content.split('\n')[1]).toBe('run,dash,0,1,error,minimize,6.9,,,,,,,lab,1,DASH,smoke,,true,0 of 9');
  });

  it('export/architecture answers every file, binary ones as base64', async () => {
    const answer = (await core.request('export/architecture', { run: runIds[0], format: 'tfjs' })) as { files: Array<{ name: string; encoding: string; content: string; bytes: number }> };
    expect(answer.files.map((f) => [f.name, f.encoding])).toEqual([['model.json', 'utf8'], ['weights.bin', 'base64']]);
    const weights = Buffer.from(answer.files[1]!.content, 'base64');
    expect(weights.byteLength).toBe(answer.files[1]!.bytes);
    expect(weights.equals(readFileSync(join(dir.path, 'arch-tfjs', 'weights.bin')))).toBe(true);
  });

  it('requests outside the contract are refused before any work', async () => {
    const refused = await fixture.core.request('export/report', { experiment: fixture.experimentId, format: 'docx' }).then(() => null, (e: unknown) => e);
    expect(refused).toBeInstanceOf(LabError);
    expect((refused as LabError).code).toBe('bad-request');
    const both = await fixture.core.request('export/report', { experiment: 1, runs: [1], format: 'md' }).then(() => null, (e: unknown) => e);
    expect((both as LabError).code).toBe('bad-request');
  });
});
