/**
 * Workers in Chromium pages, so the engine can compute with WebGPU: one headless Chromium (the machine's own,
 * found as pdf.ts finds it, driven through playwright-core), started on the first `start()` and shared by its
 * pages, one page per worker. The page (src/worker/browser, built to out/renderer/engine.html) speaks the same
 * protocol as a forked worker over a binding Playwright installs; it reads the job's dataset files and its
 * checkpoint from this host's localhost HTTP server, which serves only the files of the job the page was sent,
 * behind a random per-page token, with Range requests (datasets are streamed, never copied whole into the page).
 *
 * WebGPU adapter: Chromium offers the machine's GPU (Vulkan on Linux, Metal on macOS, D3D12 on Windows). With
 * PDASH_WEBGPU_ADAPTER=swiftshader, or when the browser finds no hardware adapter (adapter 'auto', the default:
 * checked once per launch in a blank page), it runs SwiftShader, Chromium's CPU implementation of Vulkan: real
 * WebGPU, slow, reported as a software adapter in the backend's detail. PDASH_WEBGPU_ADAPTER=hardware never falls
 * back (the probe then says webgpu is unavailable).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { LabError } from '../../../shared/errors.ts';
import { rendererContentTypes, rendererSecurityHeaders } from '../../../shared/renderer-policy.ts';
import { readCheckpointFile, writeCheckpointAtomically, type RunJob, type ToWorker } from '../../../worker/index.ts';
import { findChromium } from '../export/pdf.ts';
import { HostedWorker, type WorkerExit, type WorkerHost, type WorkerProcess, type WorkerStartOptions } from './worker-host.ts';

export type WebgpuAdapterChoice = 'auto' | 'hardware' | 'swiftshader';

export interface BrowserWorkerHostOptions {
  /** The built renderer folder holding engine.html (default: the project's out/renderer). */
  pageDir?: string;
  /** Where PDASH_CHROMIUM and PDASH_WEBGPU_ADAPTER are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Close the browser once it has had no page for this long (default 60 s); the next start() launches it again. */
  idleCloseMs?: number;
}

/** The built page beside the renderer (electron.vite.config.ts's renderer build). */
export const enginePageDirFromSource: string = fileURLToPath(new URL('../../../../out/renderer', import.meta.url));

/** A page's bridge: messages to the host through Playwright's binding, from it through __pdashEngineDeliver. */
const BRIDGE_SCRIPT = `(() => {
  const listeners = [];
  const queued = [];
  globalThis.__pdashEngineDeliver = (message) => {
    if (listeners.length === 0) queued.push(message);
    else for (const listener of listeners) listener(message);
  };
  globalThis.pdashEngineBridge = {
    post: (message) => globalThis.__pdashEnginePost(message),
    onMessage: (listener) => {
      listeners.push(listener);
      for (const message of queued.splice(0)) listener(message);
    },
  };
})();`;

function adapterChoice(env: NodeJS.ProcessEnv): WebgpuAdapterChoice {
  const value = env.PDASH_WEBGPU_ADAPTER?.trim() || 'auto';
  if (value === 'auto' || value === 'hardware' || value === 'swiftshader') return value;
  throw new LabError('bad-request', `PDASH_WEBGPU_ADAPTER is '${value}'; it must be auto, hardware or swiftshader.`, 'Unset it (auto: the GPU, else SwiftShader) or set one of those.');
}

/**
 * In a source checkout (the page built into the project's out/renderer, src/ beside it), a page older than the
 * engine's sources would run yesterday's engine without a word: that is refused, saying to rebuild. An installed app
 * or a page folder given explicitly has no sources to compare with.
 */
function stalePageError(pageDir: string): LabError | false {
  const sources = join(pageDir, '..', '..', 'src');
  if (resolve(pageDir) !== resolve(enginePageDirFromSource) || !existsSync(sources)) return false;
  const built = statSync(join(pageDir, 'engine.html')).mtimeMs;
  const newest = Math.max(newestMtime(join(sources, 'worker')), newestMtime(join(sources, 'shared')), newestMtime(join(sources, 'array-io')));
  if (newest <= built) return false;
  return new LabError('unavailable', `The engine page ${join(pageDir, 'engine.html')} is older than the engine's sources (src/worker, src/shared, src/array-io).`, 'Run `npm run build` (electron-vite build) to rebuild it.');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** How the host starts Chromium (exported for tests that open their own pages the same way). */
export function chromiumArgs(swiftshader: boolean): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // WebGPU is behind this flag on Linux; Vulkan is how Chromium reaches the GPU (and SwiftShader) there.
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    ...(swiftshader ? ['--use-webgpu-adapter=swiftshader'] : []),
  ];
}

/** What one page may read and write: the files of the job it was sent (by name) and that job's checkpoint. */
interface PageGrant {
  files: Map<string, string>;
  job: RunJob | null;
  usage: () => Promise<{ cpuMs: number; wallMs: number }>;
}

export class BrowserWorkerHost implements WorkerHost {
  readonly kind = 'browser' as const;
  private readonly pageDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly idleCloseMs: number;
  private readonly grants = new Map<string, PageGrant>();
  /** Live workers: told when the browser they share goes away. */
  private readonly workers = new Set<PageWorker>();
  private server: Promise<{ server: Server; origin: string }> | null = null;
  private browser: Promise<{ browser: Browser; context: BrowserContext; swiftshader: boolean }> | null = null;
  private pages = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Whether the built page is older than the engine sources beside it (checked once per host). */
  private staleCheck: LabError | false | null = null;

  constructor(options: BrowserWorkerHostOptions = {}) {
    this.pageDir = options.pageDir ?? enginePageDirFromSource;
    this.env = options.env ?? process.env;
    this.idleCloseMs = options.idleCloseMs ?? 60_000;
  }

  start(options: WorkerStartOptions): WorkerProcess {
    const token = randomBytes(24).toString('base64url');
    const worker = new PageWorker(options.name, this.grants, token);
    this.workers.add(worker);
    this.pages += 1;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    worker.onExit(() => {
      this.workers.delete(worker);
      this.grants.delete(token);
      this.pages -= 1;
      if (this.pages === 0 && !this.closed) {
        this.idleTimer = setTimeout(() => void this.closeBrowser(), this.idleCloseMs);
        this.idleTimer.unref();
      }
    });
    // After the caller has attached its listeners (it does so right after start() returns): a failure to open the
    // page is reported to them.
    void Promise.resolve().then(() => this.openPage(worker, token));
    return worker;
  }

  /** Closes every page, the browser and the data server. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    await this.closeBrowser();
    const server = this.server;
    this.server = null;
    if (server !== null) {
      const { server: s } = await server;
      s.closeAllConnections();
      await new Promise<void>((done) => s.close(() => done()));
    }
  }

  private async closeBrowser(): Promise<void> {
    const browser = this.browser;
    this.browser = null;
    if (browser === null) return;
    try {
      await (await browser).browser.close();
    } catch {
      // The launch itself failed (already reported to the worker that asked) or the browser is gone: nothing to close.
    }
  }

  private async openPage(worker: PageWorker, token: string): Promise<void> {
    try {
      // A missing browser or page fails this worker with an error that says what to install, as a worker that
      // cannot start does: its run fails saying why.
      if (this.closed) throw new LabError('unavailable', 'This browser worker host is closed.');
      findChromium(this.env);
      adapterChoice(this.env);
      if (!existsSync(join(this.pageDir, 'engine.html'))) {
        throw new LabError('unavailable', `The engine page ${join(this.pageDir, 'engine.html')} has not been built.`, 'Run `npm run build` (electron-vite build) once.');
      }
      this.staleCheck ??= stalePageError(this.pageDir);
      if (this.staleCheck !== false) throw this.staleCheck;
      const { origin } = await (this.server ??= this.listen());
      if (this.browser === null) {
        const launching = this.launch(origin);
        this.browser = launching;
        // A launch that failed is tried again by the next worker, not remembered.
        launching.catch(() => {
          if (this.browser === launching) this.browser = null;
        });
      }
      const { context } = await this.browser;
      if (worker.killed) return worker.exited({ code: null, signal: 'SIGTERM' });
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const startedAt = performance.now();
      this.grants.set(token, { files: new Map(), job: null, usage: () => pageUsage(cdp, startedAt) });
      await worker.attach(page, `${origin}/p/${token}/engine.html?data=${encodeURIComponent(`/p/${token}/data`)}`);
    } catch (error) {
      worker.failed(LabError.wrap(error));
    }
  }

  private async launch(origin: string): Promise<{ browser: Browser; context: BrowserContext; swiftshader: boolean }> {
    const executablePath = findChromium(this.env);
    let chromium: typeof import('playwright-core').chromium;
    try {
      ({ chromium } = await import('playwright-core'));
    } catch (error) {
      throw new LabError('unavailable', `playwright-core, which drives Chromium for the webgpu backend, cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, "Reinstall the lab's dependencies (`npm install`).");
    }
    const choice = adapterChoice(this.env);
    const start = async (swiftshader: boolean): Promise<{ browser: Browser; context: BrowserContext; swiftshader: boolean }> => {
      const browser = await chromium.launch({ executablePath, args: chromiumArgs(swiftshader) });
      const context = await browser.newContext();
      await context.exposeBinding('__pdashEnginePost', ({ page }, message: unknown) => PageWorker.of(page)?.received(message));
      await context.addInitScript(BRIDGE_SCRIPT);
      return { browser, context, swiftshader };
    };
    const chosen = await this.chooseAdapter(choice, origin, start);
    chosen.browser.on('disconnected', () => {
      this.browser = null;
      for (const worker of [...this.workers]) worker.exited({ code: null, signal: 'browser-gone' });
    });
    return chosen;
  }

  /** The browser for the adapter asked for; for 'auto', the GPU's when the browser finds one, else SwiftShader's. */
  private async chooseAdapter<T extends { browser: Browser; context: BrowserContext }>(choice: WebgpuAdapterChoice, origin: string, start: (swiftshader: boolean) => Promise<T>): Promise<T> {
    if (choice !== 'auto') return start(choice === 'swiftshader');
    const hardware = await start(false);
    const page = await hardware.context.newPage();
    try {
      // WebGPU needs a secure context: a blank page of our own localhost origin.
      await page.goto(`${origin}/blank`);
      const found = await page.evaluate(async () => {
        const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
        return gpu !== undefined && (await gpu.requestAdapter()) !== null;
      });
      if (found) return hardware;
    } finally {
      await page.close();
    }
    await hardware.browser.close();
    return start(true);
  }

  private listen(): Promise<{ server: Server; origin: string }> {
    const server = createServer((request, response) => {
      this.serve(request, response).catch((error: unknown) => {
        if (!response.headersSent) reply(response, 500, LabError.wrap(error).message);
        else response.destroy();
      });
    });
    return new Promise((done, fail) => {
      server.once('error', fail);
      server.listen(0, '127.0.0.1', () => done({ server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
      // Pages keep their connections open; a process that forgot close() must still be able to exit.
      server.unref();
    });
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/blank') return reply(response, 200, '', 'text/html; charset=utf-8');
    const match = /^\/p\/([A-Za-z0-9_-]{32})\/(.*)$/.exec(url.pathname);
    const grant = match ? this.grants.get(match[1]!) : undefined;
    if (match === null || grant === undefined) return reply(response, 404, 'Not found.');
    const rest = match[2]!;
    if (rest.startsWith('data/')) return this.serveData(grant, rest.slice('data/'.length), request, response);
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'Only GET.');
    if (rest !== 'engine.html' && !/^assets\/[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(rest)) return reply(response, 404, 'Not found.');
    const file = join(this.pageDir, ...rest.split('/'));
    const bytes = await readFile(file).catch(() => null);
    if (bytes === null) return reply(response, 404, `Not found: ${rest}`);
    response.writeHead(200, { ...rendererSecurityHeaders, 'Content-Type': rendererContentTypes[extname(file)] ?? 'application/octet-stream', 'Content-Length': bytes.length });
    response.end(request.method === 'HEAD' ? undefined : bytes);
  }

  private async serveData(grant: PageGrant, what: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const job = grant.job;
    if (job === null) return replyError(response, 409, new LabError('conflict', 'This engine page has not been sent a job; it may read nothing yet.'));
    if (what === 'usage' && request.method === 'GET') return reply(response, 200, JSON.stringify(await grant.usage()), 'application/json');
    if (what === 'checkpoint') {
      if (request.method === 'PUT') {
        await writeCheckpointAtomically(job.checkpointPath, await readBody(request));
        return reply(response, 204, '');
      }
      if (request.method !== 'GET') return reply(response, 405, 'GET or PUT.');
      if (!existsSync(job.checkpointPath)) {
        return replyError(response, 404, new LabError('not-found', `Run ${job.runId} has no checkpoint at ${job.checkpointPath} to resume from.`, `Resume run ${job.runId} again: without a checkpoint file it starts from the beginning.`));
      }
      try {
        await readCheckpointFile(job.checkpointPath, job.runId, 'resume'); // refuses a damaged file in its own words
      } catch (error) {
        return replyError(response, 409, LabError.wrap(error));
      }
      const bytes = await readFile(job.checkpointPath);
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length });
      return void response.end(bytes);
    }
    const name = what.startsWith('file/') ? decodeURIComponent(what.slice('file/'.length)) : null;
    const path = name === null ? undefined : grant.files.get(name);
    if (path === undefined) return reply(response, 404, 'Not found.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, 'GET or HEAD.');
    const size = (await stat(path)).size;
    const range = request.headers.range;
    if (range === undefined) {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': size, 'Accept-Ranges': 'bytes' });
      if (request.method === 'HEAD') return void response.end();
      return void createReadStream(path).pipe(response);
    }
    const bounds = /^bytes=(\d+)-(\d+)$/.exec(range);
    const first = Number(bounds?.[1]);
    const last = Number(bounds?.[2]);
    if (bounds === null || first > last || last >= size) {
      response.writeHead(416, { 'Content-Range': `bytes */${size}` });
      return void response.end();
    }
    response.writeHead(206, { 'Content-Type': 'application/octet-stream', 'Content-Length': last - first + 1, 'Content-Range': `bytes ${first}-${last}/${size}` });
    createReadStream(path, { start: first, end: last }).pipe(response);
  }
}

/**
 * The page's usage. cpuMs: the renderer's main-thread task time (CDP Performance.getMetrics' TaskDuration), which
 * counts the engine's JavaScript and its WebGPU command encoding, not the GPU's work (or SwiftShader's threads in
 * the GPU process); wallMs: time since the page was opened.
 */
async function pageUsage(cdp: CDPSession, startedAt: number): Promise<{ cpuMs: number; wallMs: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  const task = metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  return { cpuMs: task * 1000, wallMs: performance.now() - startedAt };
}

function reply(response: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

function replyError(response: ServerResponse, status: number, error: LabError): void {
  reply(response, status, JSON.stringify(error.toJSON()), 'application/json');
}

/** Checkpoints are a few MB at most; the body is read whole. */
async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The dataset files of a job renamed for the page (split.x, normalization.x.mean, ...) and where each is. */
export function jobFileNames(job: RunJob): { job: RunJob; files: Map<string, string> } {
  const files = new Map<string, string>();
  const name = (label: string, path: string): string => {
    files.set(label, resolve(path));
    return label;
  };
  const d = job.dataset;
  const split = (s: 'train' | 'val' | 'test') => ({ x: name(`${s}-x.npy`, d.splits[s].x), y: name(`${s}-y.npy`, d.splits[s].y) });
  const n = d.normalization;
  const dataset = {
    ...d,
    splits: { train: split('train'), val: split('val'), test: split('test') },
    normalization: {
      ...n,
      x: { ...n.x, mean: name('x-mean.npy', n.x.mean), std: name('x-std.npy', n.x.std) },
      y: n.y === null ? null : { ...n.y, mean: name('y-mean.npy', n.y.mean), std: name('y-std.npy', n.y.std) },
    },
  };
  return { job: { ...job, dataset }, files };
}

const pageWorkers = new WeakMap<Page, PageWorker>();

class PageWorker extends HostedWorker {
  readonly pid = undefined;
  killed = false;
  private readonly name: string;
  private readonly grants: Map<string, PageGrant>;
  private readonly token: string;
  private page: Page | null = null;
  private readonly outbox: ToWorker[] = [];
  private delivering: Promise<void> = Promise.resolve();

  constructor(name: string, grants: Map<string, PageGrant>, token: string) {
    super();
    this.name = name;
    this.grants = grants;
    this.token = token;
  }

  static of(page: Page): PageWorker | undefined {
    return pageWorkers.get(page);
  }

  async attach(page: Page, url: string): Promise<void> {
    this.page = page;
    pageWorkers.set(page, this);
    page.on('close', () => this.exited({ code: 0, signal: null }));
    page.on('crash', () => this.exited({ code: null, signal: 'crash' }));
    page.on('pageerror', (error) => this.emit({ type: 'error', error: new LabError('internal', `The engine page (${this.name}) threw: ${error.message}`).toJSON() }));
    await page.goto(url);
    for (const message of this.outbox.splice(0)) this.deliver(message);
  }

  failed(error: LabError): void {
    this.emit({ type: 'error', error: error.toJSON() });
    this.exited({ code: 1, signal: null });
    void this.page?.close().catch(() => undefined); // the page may already be gone with its browser
  }

  send(message: ToWorker): void {
    if (this.exit !== null || this.killed) throw new LabError('unavailable', `Worker ${this.name} (a browser page) is no longer running.`);
    if (message.type === 'run') {
      const grant = this.grants.get(this.token);
      const renamed = jobFileNames(message.job);
      if (grant !== undefined) {
        grant.job = message.job;
        grant.files = renamed.files;
      }
      message = { type: 'run', job: renamed.job };
    }
    if (this.page === null) this.outbox.push(message);
    else this.deliver(message);
    // A page cannot exit itself reliably (window.close is refused to pages the user opened): the host closes it.
    if (message.type === 'shutdown') this.kill();
  }

  private deliver(message: ToWorker): void {
    const page = this.page!;
    this.delivering = this.delivering.then(() =>
      page.evaluate((m) => (globalThis as unknown as { __pdashEngineDeliver(m: unknown): void }).__pdashEngineDeliver(m), message as unknown).then(
        () => undefined,
        // The page closed or crashed while a message was on its way: its exit is reported by the page's events.
        () => undefined,
      ),
    );
  }

  kill(): void {
    if (this.killed) return;
    this.killed = true;
    const page = this.page;
    if (page === null) return; // openPage sees `killed` and reports the exit
    // Closing waits for queued messages (a shutdown after the run's last word) to be handed over first.
    void this.delivering.then(() => page.close()).catch(() => this.exited({ code: null, signal: 'SIGTERM' }));
  }
}
