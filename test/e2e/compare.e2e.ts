/**
 * The Compare view in Chromium through web mode, on a lab with real finished smoke runs (DASH over three seeds,
 * run by forked workers) and a DASH vs P-DASH experiment written into the log.
 * Checks the tables, charts (with legends and axis names), architectures, exports and downloads, and that the
 * page logs no error. Screenshots land in test/e2e/artifacts/.
 *
 * Needs a built renderer (out/renderer): `npm run build` first.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Download, type Page } from '@playwright/test';
import { LabCore } from '../../src/main/core/lab-core.ts';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';
import { resolveConfig } from '../../src/shared/engine/index.ts';
import { addDashExperiment, FIXTURE_RUNS, openComparisonLab } from '../helpers/comparison-lab.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = join(repoRoot, 'out', 'renderer');
const artifactsDir = join(repoRoot, 'test', 'e2e', 'artifacts');

let root: string;
let server: WebServer;
let fixtureExperiment: number;
let smokeExperiment: number;
let smokeRuns: number[];
/** Run ids of a quick DASH experiment on the fixture's dataset, beside the fixture's smoke DASH runs. */
let quickRuns: number[];

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  return errors;
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string; bytes: number }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  return readDownload(download);
}

async function readDownload(download: Download): Promise<{ name: string; text: string; bytes: number }> {
  const path = await download.path();
  const data = readFileSync(path);
  return { name: download.suggestedFilename(), text: data.toString('utf8'), bytes: data.byteLength };
}

test.beforeAll(async () => {
  const index = statSync(join(rendererDir, 'index.html'), { throwIfNoEntry: false });
  if (index === undefined) throw new Error('out/renderer/index.html is missing: build the renderer with `npm run build` before the e2e tests.');
  mkdirSync(artifactsDir, { recursive: true });

  root = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-compare-')));
  // Experiment 1: DASH vs P-DASH over seeds 0-2, written into the log, on a dataset standing for NinaPro.
  const fixture = await openComparisonLab(root, { publishedTask: 'ninapro' });
  fixtureExperiment = fixture.experimentId;
  // A quick DASH experiment on the same dataset (written into the log): with the smoke runs, two rows of DASH.
  quickRuns = addDashExperiment(fixture, resolveConfig('quick', { selection: 'argmax' }), { 0: 4.0, 1: 4.4, 2: 4.2 }, {
    layers: Array.from({ length: 9 }, () => [5, 2] as [number, number]),
    retrainValidation: [7, 5.5, 4.5],
  });
  fixture.core.close();
  // Experiment 2: real DASH smoke runs over three seeds, in forked workers.
  const core = LabCore.open({ labDir: join(root, 'lab'), frontDoor: 'cli' });
  try {
    const dataset = await registerToyDataset(core.datasets);
    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0, 1, 2], preset: 'smoke', name: 'DASH smoke on toy' });
    await core.runs.startQueue({ experimentId: experiment.id }).idle();
    smokeExperiment = experiment.id;
    smokeRuns = experiment.runs.map((r) => r.id);
    for (const id of smokeRuns) expect(core.runs.run(id).status).toBe('done');
  } finally {
    core.close();
  }
  server = await startWebServer({ labDir: join(root, 'lab'), port: 0, rendererDir });
});

test.afterAll(async () => {
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('finished smoke runs: results table, charts with legends and axis names, architectures, and exports', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.goto(`${server.url}#/compare?experiment=${smokeExperiment}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Compare');

  const results = page.locator('.results-table');
  await expect(results.locator('tbody tr')).toHaveCount(1);
  await expect(results.locator('tbody tr th')).toHaveText('DASH');
  await expect(results.locator('tbody tr td').first()).toHaveText('3');
  await expect(results.locator('tbody tr td.mean')).toHaveText(/^\d+(\.\d+)? ± \d+(\.\d+)?$/);
  await expect(page.locator('.metric-definition')).toContainText('lower is better');
  await expect(page.locator('.metric-definition')).toContainText('± is the sample std (n − 1) over seeds');

  // Every chart draws as SVG with its legend and axis names.
  for (const [id, texts] of [
    ['seed-variance', ['per-seed value', 'method', 'test error (%), lower is better']],
    ['retrain-validation', ['DASH', 'retrain epoch', 'validation error (%), lower is better']],
    // FLOPs are drawn in a unit that fits the runs (k, M, G, T).
    ['phase-flops', ['search', 'HP search', 'retrain', /^mean estimated [kMGTP]?FLOPs per run$/]],
    ['metric-vs-compute', ['DASH', /^compute spent: estimated [kMGTP]?FLOPs per run \(all phases\)$/]],
  ] as const) {
    const chart = page.locator(`figure[data-chart="${id}"] .chart-area svg`);
    await expect(chart).toBeVisible();
    for (const text of texts) {
      const exactly = typeof text === 'string' ? new RegExp(`^${text.replace(/[()]/g, '\\$&')}$`) : text;
      await expect(chart.locator('text', { hasText: exactly }).first()).toBeAttached();
    }
  }
  // The other learning curves are one choice away.
  await page.getByLabel('Which learning curve').selectOption('search-loss');
  await expect(page.locator('figure[data-chart="search-loss"] .chart-area svg text', { hasText: 'search epoch (all rounds)' })).toBeAttached();
  await page.getByLabel('Which learning curve').selectOption('retrain-validation');

  // Architectures: nine searchable layers of the 1-D ResNet, three seeds, and a diff of two runs.
  const grid = page.locator('.method-grid[data-method="dash"] tbody tr');
  await expect(grid).toHaveCount(9);
  await expect(page.locator('.method-grid[data-method="dash"] thead th')).toHaveCount(1 + 3 + 2);
  await expect(page.locator('.diff-table tbody tr')).toHaveCount(9);
  await expect(page.locator('.arch-diff .summary')).toHaveText(/Same architecture|\d of 9 layers differ/);

  await page.screenshot({ path: join(artifactsDir, 'compare-smoke-runs.png'), fullPage: true });

  // Exports: tables, report, a chart's SVG (legend and axis names kept), and a run's architecture.
  const markdown = await downloaded(page, () => page.getByRole('button', { name: 'Markdown' }).click());
  expect(markdown.name).toBe(`pdash-experiment-${smokeExperiment}.md`);
  expect(markdown.text).toContain('| DASH | 3 |');
  const report = await downloaded(page, () => page.getByRole('button', { name: 'Report (HTML)' }).click());
  expect(report.name).toBe(`pdash-experiment-${smokeExperiment}.html`);
  expect(report.text.match(/<svg/g)!.length).toBeGreaterThanOrEqual(5);
  const svg = await downloaded(page, () => page.getByRole('button', { name: 'Download Cost: estimated FLOPs per phase as SVG' }).click());
  expect(svg.name).toBe(`pdash-experiment-${smokeExperiment}-phase-flops.svg`);
  for (const text of ['Cost: estimated FLOPs per phase', 'HP search', 'retrain', 'method']) expect(svg.text).toContain(`>${text}</text>`);
  expect(svg.text).toMatch(/>mean estimated [kMGTP]?FLOPs per run<\/text>/);
  // Wall seconds are one choice away, for both cost charts.
  await page.getByLabel('Compute axis of the cost per phase').selectOption('seconds');
  await expect(page.locator('figure[data-chart="phase-seconds"] .chart-area svg text', { hasText: /^mean wall seconds per run$/ })).toBeAttached();
  await expect(page.locator('figure[data-chart="metric-vs-compute"] .chart-area svg text', { hasText: /^compute spent: wall seconds per run \(all phases\)$/ })).toBeAttached();
  const seconds = await downloaded(page, () => page.getByRole('button', { name: 'Download Cost: wall seconds per phase as SVG' }).click());
  expect(seconds.name).toBe(`pdash-experiment-${smokeExperiment}-phase-seconds.svg`);

  // PDF: printed by the lab's Chromium (web mode's server has one here) and downloaded.
  const pdf = await downloaded(page, () => page.getByRole('button', { name: 'Report (PDF)' }).click());
  expect(pdf.name).toBe(`pdash-experiment-${smokeExperiment}.pdf`);
  expect(pdf.text.startsWith('%PDF-')).toBe(true);

  await page.getByLabel('Run whose architecture to export').selectOption(String(smokeRuns[1]));
  const weights: Array<{ name: string; bytes: number }> = [];
  const both = new Promise<void>((resolve) => {
    page.on('download', (d) => {
      void readDownload(d).then((file) => {
        weights.push(file);
        if (weights.length === 2) resolve();
      });
    });
  });
  await page.getByRole('button', { name: 'TF.js model' }).click();
  await both;
  expect(weights.map((w) => w.name).sort()).toEqual(['model.json', 'weights.bin']);
  expect(weights.find((w) => w.name === 'weights.bin')!.bytes).toBeGreaterThan(1000);

  expect(errors).toEqual([]);
});

test('without a Chromium in the lab, the PDF is printed from this window, with no error logged', async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto(`${server.url}#/compare?experiment=${fixtureExperiment}`);
  await expect(page.locator('.results-table tbody tr')).toHaveCount(2);
  // The server runs in this process: point its PDF printing at a Chromium that does not exist.
  const saved = process.env.PDASH_CHROMIUM;
  process.env.PDASH_CHROMIUM = join(root, 'no-chromium');
  try {
    await page.getByRole('button', { name: 'Report (PDF)' }).click();
    await expect(page.locator('.export-notice')).toContainText('which does not exist. Printing the report here instead');
  } finally {
    if (saved === undefined) delete process.env.PDASH_CHROMIUM;
    else process.env.PDASH_CHROMIUM = saved;
  }
  // The report went into a print frame of its own, with its SVG charts.
  const frame = page.frameLocator('iframe[aria-hidden="true"]');
  await expect(frame.locator('h1')).toHaveText('DASH vs P-DASH on fixture');
  await expect(frame.locator('figure svg').first()).toBeAttached();
  await expect(page.getByRole('button', { name: 'Report (PDF)' })).toBeEnabled();
  expect(errors).toEqual([]);
});

test('DASH vs P-DASH side by side, then saved runs picked across experiments', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.goto(`${server.url}#/compare?experiment=${smokeExperiment}`);
  await expect(page.locator('.results-table tbody tr')).toHaveCount(1);

  await page.getByLabel('Experiment', { exact: true }).selectOption(String(fixtureExperiment));
  await expect(page).toHaveURL(new RegExp(`#/compare\\?experiment=${fixtureExperiment}$`));
  const rows = page.locator('.results-table tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('6.60 ± 0.30');
  await expect(rows.nth(1).locator('strong.best')).toHaveText('5.90 ± 0.10');
  await expect(rows.nth(1)).toContainText('5.90 ± 0.08 (n = 3)');
  await expect(page.locator('.welch-table tbody tr')).toContainText(['DASH vs P-DASH']);
  await expect(page.locator('.published-table tbody tr')).toHaveCount(3);
  await expect(page.locator('figure[data-chart="seed-variance"] .chart-area svg text', { hasText: 'published mean ± std' })).toBeAttached();
  await expect(page.locator('.method-grid')).toHaveCount(2);
  await expect(page.locator('.arch-diff .summary')).toHaveText('1 of 9 layers differ');
  await page.screenshot({ path: join(artifactsDir, 'compare-dash-vs-pdash.png'), fullPage: true });

  // Saved runs: one DASH run of each experiment and one P-DASH run.
  await page.getByLabel('Saved runs').check();
  for (const id of [1, 2, smokeRuns[0]!]) await page.getByLabel(`Compare run ${id}`, { exact: true }).check();
  await page.getByRole('button', { name: 'Compare 3 runs' }).click();
  await expect(page).toHaveURL(new RegExp(`#/compare\\?runs=1,2,${smokeRuns[0]}$`));
  // The two DASH runs come from experiments with different configurations: they are two rows of one run each, never
  // one mean over both (issue #12), and the page says what differs. Both experiments ran the smoke preset: marked.
  await expect(rows).toHaveCount(3);
  for (let i = 0; i < 3; i++) await expect(rows.nth(i).locator('td').first()).toHaveText('1');
  await expect(page.locator('.results-table tbody tr.smoke .smoke-mark')).toHaveText(Array(3).fill('smoke: not a result'));
  await expect(page.locator('.config-differences .difference')).toHaveCount(1);
  await expect(page.locator('.config-differences .difference')).toContainText('DASH');
  await page.screenshot({ path: join(artifactsDir, 'compare-saved-runs.png'), fullPage: true });

  expect(errors).toEqual([]);
});

test('two configurations of DASH: rows, curves and boxes told apart, cost labels clear of each other, layers per row', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  const smokeDash = FIXTURE_RUNS.flatMap((r, i) => (r.method === 'dash' ? [i + 1] : []));
  const pdash = FIXTURE_RUNS.flatMap((r, i) => (r.method === 'pdash' ? [i + 1] : []));
  await page.goto(`${server.url}#/compare?runs=${[...smokeDash, ...quickRuns, ...pdash].join(',')}`);
  const rows = page.locator('.results-table tbody tr');
  await expect(rows).toHaveCount(3);
  await expect(rows.locator('th')).toHaveText([/^DASH \(smoke\)/, /^DASH \(quick\)/, /^P-DASH/]);

  // The learning curves: one line per row, DASH's two in different colours and dashes.
  const curves = page.locator('figure[data-chart="retrain-validation"] .chart-area svg');
  await expect(curves.locator('text', { hasText: /^DASH \(quick\)$/ })).toBeAttached();
  const strokes = await curves.locator('path[fill="none"]').evaluateAll((paths) => paths.map((p) => `${p.getAttribute('stroke')} ${p.getAttribute('stroke-dasharray') ?? 'solid'}`));
  expect(strokes).toContain('#0072b2 solid');
  expect(strokes.some((s) => s.startsWith('#00446b ') && !s.endsWith(' solid'))).toBe(true);

  // The cost chart's row labels: each on its own lines, no two overlapping.
  const cost = page.locator('figure[data-chart^="phase-"] .chart-area svg');
  await expect(cost).toBeVisible();
  const boxes = [];
  for (const name of ['(smoke)', '(quick)', 'P-DASH']) {
    const box = await cost.locator('text', { hasText: name }).first().boundingBox();
    expect(box, name).not.toBeNull();
    boxes.push(box!);
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i]!, boxes[j]!];
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      expect(apart, `${i} and ${j} overlap`).toBe(true);
    }
  }

  // A grid per row: the quick runs chose k5 d2 everywhere, the smoke runs' layer 2 is k7 d3 in 2 of 3.
  await expect(page.locator('.method-grid')).toHaveCount(3);
  await expect(page.locator('.method-grid').nth(0).locator('tbody tr').nth(2).locator('td.modal')).toHaveText('k7 d3');
  await expect(page.locator('.method-grid').nth(1).locator('tbody tr').nth(2).locator('td.modal')).toHaveText('k5 d2');
  await page.screenshot({ path: join(artifactsDir, 'compare-two-dash-rows.png'), fullPage: true });
  for (const id of ['seed-variance', 'retrain-validation', 'phase-flops', 'metric-vs-compute']) {
    await page.locator(`figure[data-chart="${id}"]`).screenshot({ path: join(artifactsDir, `compare-two-dash-rows-${id}.png`) });
  }
  expect(errors).toEqual([]);
});
