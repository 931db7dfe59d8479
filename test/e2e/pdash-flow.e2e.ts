/**
 * P-DASH through the lab's screens in Chromium, web mode, real core and workers: generate a tiny built-in ECG
 * task with the form, plan P-DASH's rounds in the new-experiment form (a schedule that does not fit the search
 * space is caught in place), run DASH and P-DASH on the smoke budget with one seed, follow the P-DASH run's
 * pruning timeline until it is done, open a round's ranking, see DASH's selection, and compare the two on
 * estimated FLOPs and on wall seconds. Screenshots land in test/e2e/artifacts/.
 *
 * Needs a built renderer (out/renderer): `npm run build` first.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = join(repoRoot, 'out', 'renderer');
const artifactsDir = join(repoRoot, 'test', 'e2e', 'artifacts');

/** A full-page screenshot from the top (the nav rail is sticky: scrolled, it would be drawn mid-page). */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: join(artifactsDir, name), fullPage: true });
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
  return errors;
}

let server: WebServer;
let labDir: string;

test.beforeAll(async () => {
  const index = statSync(join(rendererDir, 'index.html'), { throwIfNoEntry: false });
  if (index === undefined) throw new Error('out/renderer is missing: build the renderer with `npm run build` before the e2e tests.');
  mkdirSync(artifactsDir, { recursive: true });
  labDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-pdash-')));
  // The server supervises its lab's run queue: what the form queues runs here.
  server = await startWebServer({ labDir, port: 0, rendererDir });
});

test.afterAll(async () => {
  await server?.close();
  rmSync(labDir, { recursive: true, force: true });
});

test('plan P-DASH in the form, run it beside DASH, read its pruning timeline, compare on estimated FLOPs', async ({ page }) => {
  test.setTimeout(150_000);
  const errors = collectErrors(page);
  await page.setViewportSize({ width: 1360, height: 900 });

  // ---- a tiny built-in ECG task, generated with the form ----
  await page.goto(`${server.url}#/datasets/add`);
  await expect(page.getByRole('status')).toHaveText('Connected');
  const generate = page.locator('form.generate-form');
  await generate.getByLabel(/Synthetic ECG rhythms/).check();
  await generate.locator('select[name="size"]').selectOption('tiny');
  await generate.getByRole('button', { name: 'Generate' }).click();
  await expect(page).toHaveURL(/#\/datasets\/(\d+)$/, { timeout: 30_000 });
  const datasetId = /#\/datasets\/(\d+)$/.exec(page.url())![1]!;

  // ---- New experiment: DASH and P-DASH, one seed, smoke; P-DASH's rounds planned in the form ----
  await page.goto(`${server.url}#/experiments/new?dataset=${datasetId}`);
  const form = page.getByRole('form', { name: 'New experiment' });
  await expect(form.locator('select[name="dataset"]')).toHaveValue(datasetId);
  await form.locator('input[name="seeds"]').fill('0');
  await form.getByLabel('smoke').check();
  await expect(form.locator('input[name="pdashRounds"]')).toHaveCount(0);
  await form.getByRole('checkbox', { name: /^P-DASH/ }).check();
  // smoke's own rounds on its 2 kernel sizes x 2 dilations: 4 -> 2 -> 1.
  await expect(form.locator('[data-pdash-plan]')).toContainText('4 → 2 → 1');
  await form.getByLabel(/^Schedule:/).check();
  const schedule = form.locator('input[name="pdashSchedule"]');
  await expect(schedule).toHaveValue('4,2,1');
  // A schedule for DASH's full 2-D space does not fit smoke's 4 patterns: said in place, nothing is sent.
  await schedule.fill('16,4,1');
  await expect(form.locator('.pdash-rounds .field-error')).toContainText("starts at the search space's 4 patterns per layer (2 kernel sizes × 2 dilations)");
  await form.getByRole('button', { name: 'Start 2 runs' }).click();
  await expect(page).toHaveURL(/#\/experiments\/new\?dataset=\d+$/);
  await screenshot(page, 'experiment-pdash-schedule-refused.png');
  await schedule.fill('4,2,1');
  await expect(form.locator('.pdash-rounds .field-error')).toHaveCount(0);
  await expect(form.locator('tr[data-method="pdash"] td[data-phase="search"]')).toContainText('2 rounds × 1 epoch, 4 → 2 → 1 patterns per layer');
  await expect(form.locator('[data-estimate="runs"]')).toHaveText('2 runs');
  await screenshot(page, 'experiment-pdash.png');
  await form.getByRole('button', { name: 'Start 2 runs' }).click();

  // ---- the P-DASH run's monitor: the pruning timeline fills round by round ----
  await expect(page).toHaveURL(/#\/experiments\?created=\d+$/);
  const card = page.locator('article.experiment').first();
  await expect(card.locator('tbody tr')).toHaveCount(2);
  const runRow = (method: string) => card.locator('tbody tr').filter({ has: page.locator('td', { hasText: new RegExp(`^${method}$`) }) });
  await runRow('P-DASH').getByRole('link', { name: /^Run #\d+$/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('P-DASH, seed 0');
  const timeline = page.locator('[data-section="pruning-timeline"]');
  await expect(timeline.getByRole('heading', { name: 'Pruning per round' })).toBeVisible();
  // Its configuration plans two rounds (shown as columns even before the run starts).
  await expect(timeline.locator('thead th[data-round]')).toHaveCount(2);
  await expect(timeline.locator('th[data-round="1"]')).toContainText('4 → 2');
  await expect(timeline.locator('th[data-round="1"]')).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(timeline.locator('tbody tr')).toHaveCount(9);
  await expect(timeline.locator('tr[data-layer="0"] td[data-round="1"] .cell[data-state="kept"]')).toHaveCount(2);
  await screenshot(page, 'monitor-pdash-live.png');

  await expect(page.locator('.run-progress .run-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(timeline.locator('th[data-round="2"]')).toHaveAttribute('data-status', 'done');
  // Every layer: two kept after round 1, one chosen after round 2, pruned ones struck.
  for (const layer of [0, 4, 8]) {
    await expect(timeline.locator(`tr[data-layer="${layer}"] td[data-round="1"] .cell[data-state="pruned"]`)).toHaveCount(2);
    await expect(timeline.locator(`tr[data-layer="${layer}"] td[data-round="2"] .cell[data-state="chosen"]`)).toHaveCount(1);
    await expect(timeline.locator(`tr[data-layer="${layer}"] td[data-round="2"] .cell[data-state="gone"]`)).toHaveCount(2);
  }
  await expect(timeline.locator('[data-chosen]')).toHaveText(Array.from({ length: 9 }, () => /^k\d d\d$/));
  // The chosen patterns are the architecture the run retrained.
  const chosen = await timeline.locator('[data-chosen]').allTextContents();
  const architecture = await page.locator('table.architecture tbody tr').evaluateAll((rows) => rows.map((row) => `k${row.children[1]!.textContent!.trim()} d${row.children[2]!.textContent!.trim()}`));
  expect(architecture).toEqual(chosen);
  // A grid opens that round's ranking for the layer.
  await timeline.locator('tr[data-layer="0"] td[data-round="1"] button').click();
  await expect(timeline.locator('.ranking-table tbody tr')).toHaveCount(4);
  await expect(timeline.locator('.ranking-table tbody .badge-ok')).toHaveText(['kept', 'kept']);
  // The alpha heatmaps per round: round 1 searched 4 candidates per layer, round 2 two.
  await expect(page.locator('.round-picker button')).toHaveText(['All rounds', 'Round 1 4 candidates', 'Round 2 2 candidates']);
  await page.locator('.round-picker button[data-round="1"]').click();
  await expect(page.locator('[data-snapshot]')).toHaveText('round 1 · search epoch 1');
  await expect(page.locator('.alpha-heatmap[data-layer="0"] td.is-pruned')).toHaveCount(0);
  await screenshot(page, 'monitor-pdash-done.png');

  // ---- DASH's run: its one selection ----
  await page.getByRole('link', { name: '← Experiments' }).click();
  await expect(card.locator('[data-count="done"] .count')).toHaveText('2', { timeout: 60_000 });
  await runRow('DASH').getByRole('link', { name: /^Run #\d+$/ }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('DASH, seed 0');
  const selection = page.locator('[data-section="selection"]');
  await expect(selection.locator('thead th[data-round="0"]')).toContainText('4 → 1');
  await expect(selection.locator('.cell[data-state="chosen"]')).toHaveCount(9);

  // ---- Compare: the cost charts on estimated FLOPs, wall seconds one choice away ----
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Compare' }).click();
  await expect(page.locator('.results-table tbody tr')).toHaveCount(2);
  const flops = page.locator('figure[data-chart="phase-flops"] .chart-area svg');
  await expect(flops).toBeVisible();
  await expect(flops.locator('text', { hasText: /^mean estimated [kMGTP]?FLOPs per run$/ })).toBeAttached();
  await expect(page.locator('figure[data-chart="metric-vs-compute"] .chart-area svg text', { hasText: /^compute spent: estimated [kMGTP]?FLOPs per run \(all phases\)$/ })).toBeAttached();
  await screenshot(page, 'compare-pdash-flops.png');
  await page.getByLabel('Compute axis of the metric against compute').selectOption('seconds');
  await expect(page.locator('figure[data-chart="phase-seconds"] .chart-area svg text', { hasText: /^mean wall seconds per run$/ })).toBeAttached();
  await expect(page.locator('figure[data-chart="metric-vs-compute"] .chart-area svg text', { hasText: /^compute spent: wall seconds per run \(all phases\)$/ })).toBeAttached();
  await expect(page.locator('figure[data-chart="phase-flops"]')).toHaveCount(0);

  expect(errors).toEqual([]);
});
