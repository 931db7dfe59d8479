/**
 * Web mode's import from this machine: each path field's Browse button opens the browser's file chooser, the
 * chosen file is uploaded into the lab folder, and the import reads it there; the staged copies go afterwards.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';
import { writeNpyFile } from '../helpers/npy.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = join(repoRoot, 'out', 'renderer');

let server: WebServer;
let labDir: string;
let filesDir: string;

test.beforeAll(async () => {
  if (statSync(join(rendererDir, 'index.html'), { throwIfNoEntry: false }) === undefined) {
    throw new Error('out/renderer is missing: build the renderer with `npm run build` before the e2e tests.');
  }
  labDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-upload-')));
  filesDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-upload-files-')));
  server = await startWebServer({ labDir, port: 0, rendererDir, runQueue: false });
});

test.afterAll(async () => {
  await server?.close();
  rmSync(labDir, { recursive: true, force: true });
  rmSync(filesDir, { recursive: true, force: true });
});

test('Browse uploads files from this machine into the lab and the import reads them there', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  const files = {
    trainX: writeNpyFile(join(filesDir, 'train-x.npy'), '<f4', [40, 16, 1], new Float32Array(640).map((_, i) => Math.sin(i / 3))),
    trainY: writeNpyFile(join(filesDir, 'train-y.npy'), '<i4', [40], new Int32Array(40).map((_, i) => i % 2)),
    testX: writeNpyFile(join(filesDir, 'test-x.npy'), '<f4', [10, 16, 1], new Float32Array(160).map((_, i) => Math.cos(i / 3))),
    testY: writeNpyFile(join(filesDir, 'test-y.npy'), '<i4', [10], new Int32Array(10).map((_, i) => i % 2)),
  };

  await page.goto(server.url);
  await expect(page.getByRole('status')).toHaveText('Connected');
  await page.goto(`${server.url.split('?')[0]}#/datasets/add`);
  const form = page.locator('form.import-form');
  await form.locator('input[name="name"]').fill('uploaded');
  for (const [field, path] of Object.entries(files)) {
    const chooser = page.waitForEvent('filechooser');
    await form.locator(`button[data-browse="${field}"]`).click();
    await (await chooser).setFiles(path);
    // The field now names the staged copy on the lab's machine.
    await expect(form.locator(`input[name="${field}"]`)).toHaveValue(new RegExp(`^${join(labDir, 'uploads').replaceAll('/', '\\/')}\\/[0-9a-f-]{36}\\/${field.replace(/([XY])$/, (c) => `-${c.toLowerCase()}`).replace(/^(train|test)/, '$1')}\\.npy$`));
  }
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(/#\/datasets\/\d+$/, { timeout: 30_000 });
  await expect(page.getByRole('article', { name: 'Dataset uploaded' }).locator('dd[data-fact="x per sample"]')).toHaveText('(16, 1) float32');
  expect(readdirSync(join(labDir, 'uploads'))).toEqual([]);
  expect(errors).toEqual([]);
});
