/**
 * The lab's main path in Chromium through web mode, against the real core and real workers: import a dataset
 * with the form, look at it, start a DASH experiment (2 seeds, smoke budget) from the new-experiment form,
 * follow a run live in the monitor, and see both runs finish in the experiments list. P-DASH's path is
 * pdash-flow.e2e.ts. Screenshots of each view
 * land in test/e2e/artifacts/.
 *
 * Needs a built renderer (out/renderer): `npm run build` first.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';
import { writeNpyFile } from '../helpers/npy.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = join(repoRoot, 'out', 'renderer');
const artifactsDir = join(repoRoot, 'test', 'e2e', 'artifacts');

/** Two classes of noisy sinusoids, length 32, one channel: learnable in a smoke run. */
function writeToyArrays(dir: string): Record<'trainX' | 'trainY' | 'testX' | 'testY', string> {
  const split = (n: number, offset: number, name: string): { x: string; y: string } => {
    const x = new Float32Array(n * 32);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let t = 0; t < 32; t++) x[i * 32 + t] = Math.sin(t * (y[i] === 1 ? 0.9 : 0.3) + offset + i) + 0.1 * Math.cos((offset + i) * t);
    }
    return { x: writeNpyFile(join(dir, `${name}-x.npy`), '<f4', [n, 32, 1], x), y: writeNpyFile(join(dir, `${name}-y.npy`), '<i4', [n], y) };
  };
  const train = split(64, 1, 'train');
  const test = split(32, 500, 'test');
  return { trainX: train.x, trainY: train.y, testX: test.x, testY: test.y };
}

/** A full-page screenshot from the top (the nav rail is sticky: scrolled, it would be drawn mid-page). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(artifactsDir, name), fullPage: true });
}

function collectErrors(page: Page): { console: string[]; uncaught: string[] } {
  const errors = { console: [] as string[], uncaught: [] as string[] };
  page.on('console', (message) => {
    if (message.type() === 'error') errors.console.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.uncaught.push(error.stack ?? error.message));
  return errors;
}

let server: WebServer;
let labDir: string;
let filesDir: string;

test.beforeAll(async () => {
  const index = statSync(join(rendererDir, 'index.html'), { throwIfNoEntry: false });
  if (index === undefined) throw new Error('out/renderer is missing: build the renderer with `npm run build` before the e2e tests.');
  mkdirSync(artifactsDir, { recursive: true });
  labDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-flow-')));
  filesDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-files-')));
  // The server supervises its lab's run queue itself: what the form queues runs here.
  server = await startWebServer({ labDir, port: 0, rendererDir });
});

test.afterAll(async () => {
  await server?.close();
  rmSync(labDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

test('import a dataset, start DASH on 2 seeds, follow a run live, see both finish', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  const files = writeToyArrays(filesDir);

  // ---- Datasets: empty, then the import form ----
  await page.goto(server.url);
  await expect(page.getByRole('status')).toHaveText('Connected');
  await expect(page.getByRole('heading', { name: 'No datasets in this lab yet' })).toBeVisible();
  await page.getByRole('link', { name: 'Add a dataset' }).click();
  await expect(page).toHaveURL(/#\/datasets\/add$/);
  await expect(page.locator('[data-note="paths"]')).toContainText("the lab server's machine");

  const form = page.locator('form.import-form');
  await form.locator('input[name="name"]').fill('toy');
  for (const [field, path] of Object.entries(files)) await form.locator(`input[name="${field}"]`).fill(path);
  await screenshot(page, 'dataset-add.png');
  await form.getByRole('button', { name: 'Import' }).click();

  // ---- the new dataset's detail panel ----
  await expect(page).toHaveURL(/#\/datasets\/\d+$/, { timeout: 30_000 });
  const detail = page.getByRole('article', { name: 'Dataset toy' });
  await expect(detail.getByRole('heading', { name: /toy/ })).toBeVisible();
  await expect(detail.locator('dd[data-fact="x per sample"]')).toHaveText('(32, 1) float32');
  await expect(detail.locator('dd[data-fact="Content hash"]')).toHaveText(/^[0-9a-f]{64}$/);
  await expect(detail.locator('tr[data-split="validation"]')).toContainText('carved from train: 10%, seed 0');
  await expect(detail.getByRole('img', { name: /Samples per class/ }).locator('canvas')).toBeVisible();
  await expect(detail.locator('figure.sample').getByRole('img')).toHaveCount(6);
  await expect(detail.locator('figure.sample canvas').first()).toBeVisible();
  await expect(page.locator('table.dataset-table tr[data-dataset="toy"]')).toBeVisible();
  await screenshot(page, 'dataset-detail.png');

  // ---- New experiment: DASH x 2 seeds on smoke ----
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Experiments' }).click();
  await expect(page.getByRole('heading', { name: 'No experiments in this lab yet' })).toBeVisible();
  await page.getByRole('link', { name: 'New experiment' }).click();
  await expect(page).toHaveURL(/#\/experiments\/new$/);
  const experimentForm = page.getByRole('form', { name: 'New experiment' });
  await expect(experimentForm.locator('select[name="dataset"]')).toHaveValue(/\d+/);
  await experimentForm.locator('input[name="seeds"]').fill('0,1');
  await experimentForm.getByLabel('smoke').check();
  await expect(experimentForm.locator('[data-estimate="runs"]')).toHaveText('2 runs');
  await expect(experimentForm.locator('[data-cell="5x2"]')).toHaveClass(/is-on/);

  await screenshot(page, 'experiment-new.png');
  await experimentForm.getByRole('button', { name: 'Start 2 runs' }).click();

  // ---- the experiments list, then one run's live monitor ----
  await expect(page).toHaveURL(/#\/experiments\?created=\d+$/);
  const card = page.locator('article.experiment').first();
  await expect(card.locator('tbody tr')).toHaveCount(2);
  const firstRun = card.getByRole('link', { name: /^Run #\d+$/ }).first();
  await firstRun.click();
  await expect(page).toHaveURL(/#\/runs\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('DASH, seed 0');

  // Live: the alpha heatmaps and the search curve appear as the search emits them.
  await expect(page.locator('.alpha-heatmap').first()).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('.curve[data-phase="search"] canvas')).toBeVisible();
  await expect(page.locator('.alpha-heatmap td.is-leading').first()).toBeVisible();
  await screenshot(page, 'monitor-live.png');

  // Done: the architecture, the HP trials and the test metric.
  await expect(page.locator('.run-progress .run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.locator('[data-progress]')).toHaveText('100%');
  await expect(page.locator('table.architecture tbody tr').first()).toBeVisible();
  await expect(page.locator('table.hp-trials tbody tr')).toHaveCount(2);
  await expect(page.locator('dd[data-fact="test-metric"]')).toBeVisible();
  await expect(page.locator('.curve[data-phase="retrain"] canvas')).toBeVisible();
  // Two search epochs, two snapshots: the scrubber goes back to the first.
  const scrubber = page.getByRole('slider', { name: 'Alpha snapshot' });
  await scrubber.fill('0');
  await expect(page.locator('[data-snapshot]')).toHaveText('search epoch 1');
  await expect(page.getByRole('button', { name: 'Follow live' })).toBeVisible();
  await screenshot(page, 'monitor-done.png');

  // ---- back to the list: both runs finish, counted per status ----
  await page.getByRole('link', { name: '← Experiments' }).click();
  await expect(page.locator('article.experiment').first().locator('[data-count="done"] .count')).toHaveText('2', { timeout: 60_000 });
  await expect(page.locator('article.experiment').first().locator('tbody tr[data-status="done"]')).toHaveCount(2);
  await screenshot(page, 'experiments-list.png');

  expect(errors.uncaught).toEqual([]);
  expect(errors.console).toEqual([]);
});

test('generate a 2-D built-in task, look at its samples as heatmaps, and remove it after confirming', async ({ page }) => {
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });
  await page.goto(`${server.url}#/datasets/add`);
  await expect(page.getByRole('status')).toHaveText('Connected');

  const form = page.locator('form.generate-form');
  await form.getByLabel(/Synthetic Darcy flow/).check();
  await form.locator('select[name="size"]').selectOption('tiny');
  await expect(form.locator('input[name="generateName"]')).toHaveAttribute('placeholder', 'darcy-synth-tiny-seed0');
  await form.getByRole('button', { name: 'Generate' }).click();

  await expect(page).toHaveURL(/#\/datasets\/\d+$/, { timeout: 30_000 });
  const detail = page.getByRole('article', { name: 'Dataset darcy-synth-tiny-seed0' });
  await expect(detail.locator('dd[data-fact="Task"]')).toHaveText('dense, 2-D images [height, width, channels]');
  // Each sample: a heatmap per input channel (3) and its target map.
  const firstSample = detail.locator('figure.sample').first();
  await expect(firstSample.getByRole('img')).toHaveCount(4);
  await expect(firstSample.getByRole('img').first().locator('canvas').first()).toBeVisible();
  await expect(detail.locator('[data-stats="Targets (y)"]')).toBeVisible();
  await screenshot(page, 'dataset-generated-2d.png');

  await detail.getByRole('button', { name: 'Remove…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove dataset “darcy-synth-tiny-seed0”?' });
  await expect(dialog).toBeVisible();
  await page.screenshot({ path: join(artifactsDir, 'dataset-remove-confirm.png') }); // the viewport, where the modal is
  await dialog.getByRole('button', { name: 'Remove dataset' }).click();
  await expect(page).toHaveURL(/#\/datasets$/);
  await expect(page.locator('tr[data-dataset="darcy-synth-tiny-seed0"]')).toHaveCount(0);
  // The list (or, when that was the only dataset, the empty state) without it.
  await expect(page.locator('table.dataset-table').or(page.locator('.empty-state'))).toBeVisible();

  expect(errors.uncaught).toEqual([]);
  expect(errors.console).toEqual([]);
});
