/**
 * The renderer shell in Chromium through web mode: the real server on a free port with a temporary lab, the
 * built renderer, every view through the nav. Screenshots of each view land in test/e2e/artifacts/.
 *
 * Needs a built renderer (out/renderer): `npm run build` first; the test says so when it is missing or stale.
 */
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const rendererDir = join(repoRoot, 'out', 'renderer');
const artifactsDir = join(repoRoot, 'test', 'e2e', 'artifacts');

const views = [
  { path: '/datasets', title: 'Datasets', screenshot: 'datasets.png' },
  { path: '/experiments', title: 'Experiments', screenshot: 'experiments.png' },
  { path: '/compare', title: 'Compare', screenshot: 'compare.png' },
  { path: '/settings', title: 'Settings', screenshot: 'settings.png' },
] as const;

/** The newest modification time of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Fails with what to do when the renderer under test is missing or older than its sources. */
function requireBuiltRenderer(): void {
  const index = join(rendererDir, 'index.html');
  const built = statSync(index, { throwIfNoEntry: false });
  if (built === undefined) {
    throw new Error(`${index} is missing: build the renderer with \`npm run build\` before the e2e tests.`);
  }
  const sources = Math.max(newestMtime(join(repoRoot, 'src', 'renderer')), newestMtime(join(repoRoot, 'src', 'shared')));
  if (sources > built.mtimeMs) {
    throw new Error(`${index} is older than src/renderer or src/shared: rebuild with \`npm run build\` before the e2e tests.`);
  }
}

interface RunningLab {
  server: WebServer;
  labDir: string;
  stop(): Promise<void>;
}

async function startLab(): Promise<RunningLab> {
  const labDir = realpathSync(mkdtempSync(join(tmpdir(), 'pdash-e2e-')));
  const server = await startWebServer({ labDir, port: 0, rendererDir });
  let stopped = false;
  return {
    server,
    labDir,
    async stop() {
      if (!stopped) await server.close();
      stopped = true;
      rmSync(labDir, { recursive: true, force: true });
    },
  };
}

/** Collects what the page reports as errors: console.error messages and uncaught exceptions. */
function collectErrors(page: Page): { console: string[]; uncaught: string[] } {
  const errors = { console: [] as string[], uncaught: [] as string[] };
  page.on('console', (message) => {
    if (message.type() === 'error') errors.console.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.uncaught.push(error.stack ?? error.message));
  return errors;
}

test.beforeAll(() => {
  requireBuiltRenderer();
  mkdirSync(artifactsDir, { recursive: true });
});

test.describe('web mode', () => {
  let lab: RunningLab;

  test.beforeAll(async () => {
    lab = await startLab();
  });

  test.afterAll(async () => {
    await lab?.stop();
  });

  test('refuses the page, its assets and the RPC socket without the token', async ({ playwright }) => {
    const origin = `http://127.0.0.1:${lab.server.port}`;
    // A fresh request context: no cookie from an earlier visit.
    const anonymous = await playwright.request.newContext();
    try {
      for (const path of ['/', '/index.html', '/favicon.svg', '/?token=wrong']) {
        const response = await anonymous.get(origin + path);
        expect(response.status(), path).toBe(401);
      }
    } finally {
      await anonymous.dispose();
    }

    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${lab.server.port}/rpc`);
      socket.addEventListener('open', () => resolve('opened'));
      socket.addEventListener('close', () => resolve('closed'));
    });
    expect(refused).toBe('closed');
  });

  test('navigates every view through the nav, shows lab/info in Settings, and logs no errors', async ({ page }) => {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });

    await page.goto(lab.server.url);
    await expect(page.getByRole('status')).toHaveText('Connected');
    await expect(page).toHaveURL(/#\/datasets$/);

    for (const view of views) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view.title }).click();
      await expect(page).toHaveURL(new RegExp(`#${view.path}$`));
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(view.title);
      await expect(page).toHaveTitle(`${view.title} · P-DASH Lab`);
      if (view.path === '/settings') {
        // lab/info starts a worker to probe the compute backends: give it time on a cold machine, and stop
        // waiting at once if the view shows an error instead.
        const labFolder = page.locator('dd[data-fact="Lab folder"]');
        const failure = page.getByRole('alert');
        await expect(labFolder.or(failure)).toBeVisible({ timeout: 90_000 });
        if (await failure.isVisible()) throw new Error(`Settings shows an error instead of lab/info: ${await failure.innerText()}`);
        await expect(labFolder).toHaveText(lab.labDir);
        await expect(page.locator('dd[data-fact="Schema version"]')).toHaveText(String(lab.server.core.schemaVersion));
        await expect(page.locator('dd[data-fact="Front door"]')).toHaveText('Web mode (pdash serve)');
        await expect(page.locator('table.backends tbody tr').first()).toBeVisible();
        await expect(page.locator('table.backends .badge-accent')).toHaveCount(1);
      } else {
        await expect(page.locator('.empty-state')).toBeVisible();
      }
      if (view.path === '/datasets') {
        // The CLI hints name the lab this server serves, not the default one.
        await expect(page.locator('.empty-commands code').first()).toHaveText(`pdash dataset list --lab ${lab.labDir}`);
      }
      await page.screenshot({ path: join(artifactsDir, view.screenshot), fullPage: true });
    }

    // The token travels in sessionStorage: a reload on a route keeps working.
    await page.reload();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    await expect(page.getByRole('status')).toHaveText('Connected');

    expect(errors.uncaught).toEqual([]);
    expect(errors.console).toEqual([]);
  });

  test('a tab that the cookie lets in without the token says where to find it', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const first = await context.newPage();
      await first.goto(lab.server.url); // sets the cookie that serves the page's files
      await expect(first.getByRole('status')).toHaveText('Connected');

      // A new tab has its own (empty) sessionStorage: the page loads, but the WebSocket has no token.
      const second = await context.newPage();
      const errors = collectErrors(second);
      await second.goto(`http://127.0.0.1:${lab.server.port}/#/settings`);
      await expect(second.getByRole('heading', { level: 1 })).toHaveText('P-DASH Lab cannot reach its lab');
      await expect(second.getByRole('alert')).toContainText('no session token');
      await expect(second.getByRole('alert')).toContainText('pdash serve');
      await second.screenshot({ path: join(artifactsDir, 'no-token.png'), fullPage: true });
      expect(errors.uncaught).toEqual([]);
      expect(errors.console).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

test('says the lab server stopped when it goes away', async ({ page }) => {
  const lab = await startLab();
  try {
    const errors = collectErrors(page);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(lab.server.url);
    await expect(page.getByRole('status')).toHaveText('Connected');
    // Let lab/info (which the Datasets view asks for) finish first: it forks a compute probe, which must not
    // outlive this test's process.
    await expect(page.locator('.empty-commands code').first()).toHaveText(`pdash dataset list --lab ${lab.labDir}`, { timeout: 90_000 });

    await lab.stop();

    // The server says goodbye (close code 1001) when it stops, so the page need not wait out its retries.
    await expect(page.getByRole('status')).toContainText('Lab server stopped');
    await expect(page.getByRole('status')).toContainText('pdash serve');
    await page.screenshot({ path: join(artifactsDir, 'server-stopped.png'), fullPage: true });
    // Failed reconnections are logged by the browser itself; the page's own code must not throw.
    expect(errors.uncaught).toEqual([]);
  } finally {
    await lab.stop();
  }
});
