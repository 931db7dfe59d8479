/**
 * Workers in hidden windows of the app, so the engine can compute with WebGPU on the user's GPU: one hidden,
 * isolated, sandboxed BrowserWindow per worker loads the engine page (app://pdash/engine.html, built beside the
 * renderer) with a preload that exposes only a message bridge (src/preload/engine-bridge.ts). Protocol messages
 * travel over the engine's IPC channels; the page reads the job's dataset ranges and its checkpoint through the
 * bridge's requests (its CSP lets it connect nowhere else), answered here for that job's files only; checkpoints
 * are written with writeCheckpointAtomically. The same page runs in headless Chromium through the core's
 * BrowserWorkerHost.
 *
 * The app must turn WebGPU on before ready where Chromium keeps it behind a flag (Linux):
 * app.commandLine.appendSwitch('enable-unsafe-webgpu') and appendSwitch('enable-features', 'Vulkan').
 */
import { open, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { app, BrowserWindow, ipcMain, type IpcMainEvent, type IpcMainInvokeEvent } from 'electron';
import { LabError } from '../../shared/errors.ts';
import { readCheckpointFile, writeCheckpointAtomically, type DatasetFiles, type RunJob, type ToWorker } from '../../worker/index.ts';
import { HostedWorker, type WorkerExit, type WorkerHost, type WorkerProcess, type WorkerStartOptions } from '../core/index.ts';
import { APP_ORIGIN } from './origins.ts';
import { secureWebPreferences } from './window.ts';

/** The preload's channels (src/preload/engine-bridge.ts, which cannot be imported here: it runs in the page). */
export const ENGINE_POST_CHANNEL = 'pdash-engine:post';
export const ENGINE_DELIVER_CHANNEL = 'pdash-engine:deliver';
export const ENGINE_REQUEST_CHANNEL = 'pdash-engine:request';

export const ENGINE_PAGE_URL = `${APP_ORIGIN}/engine.html`;

export interface WindowEngineHostOptions {
  /** The built engine preload (out/preload/engine-bridge.js). */
  preload: string;
  /** The engine page: app://pdash/engine.html, or the dev server's engine.html under `electron-vite dev`. */
  pageUrl?: string;
}

/** Every file a job's dataset names: the only files its page may read. */
function datasetPaths(files: DatasetFiles): Set<string> {
  const { splits, normalization } = files;
  const paths = [splits.train.x, splits.train.y, splits.val.x, splits.val.y, splits.test.x, splits.test.y, normalization.x.mean, normalization.x.std];
  if (normalization.y !== null) paths.push(normalization.y.mean, normalization.y.std);
  return new Set(paths.map((p) => resolve(p)));
}

export class WindowEngineHost implements WorkerHost {
  readonly kind = 'browser' as const;
  private readonly options: WindowEngineHostOptions;
  /** Live workers by their window's webContents id: IPC from any other sender is ignored. */
  private readonly workers = new Map<number, WindowWorker>();

  constructor(options: WindowEngineHostOptions) {
    this.options = options;
    ipcMain.on(ENGINE_POST_CHANNEL, (event: IpcMainEvent, message: unknown) => this.workers.get(event.sender.id)?.received(message));
    ipcMain.handle(ENGINE_REQUEST_CHANNEL, (event: IpcMainInvokeEvent, request: unknown) => {
      const worker = this.workers.get(event.sender.id);
      if (worker === undefined) return { ok: false, error: new LabError('unauthorized', 'Only an engine window may ask for engine data.').toJSON() };
      return worker.answer(request);
    });
  }

  start(options: WorkerStartOptions): WorkerProcess {
    const window = new BrowserWindow({
      show: false,
      title: `P-DASH engine (${options.name})`,
      // Timers of a hidden window are throttled by default; the engine's steps must not be.
      webPreferences: { ...secureWebPreferences, preload: this.options.preload, backgroundThrottling: false },
    });
    const worker = new WindowWorker(window, options.name);
    const id = window.webContents.id;
    this.workers.set(id, worker);
    worker.onExit(() => this.workers.delete(id));
    void window.loadURL(this.options.pageUrl ?? ENGINE_PAGE_URL).catch((error: unknown) => worker.failed(LabError.wrap(error)));
    return worker;
  }

  /** Closes every engine window and stops answering their channels. */
  close(): void {
    for (const worker of [...this.workers.values()]) worker.kill();
    ipcMain.removeAllListeners(ENGINE_POST_CHANNEL);
    ipcMain.removeHandler(ENGINE_REQUEST_CHANNEL);
  }
}

class WindowWorker extends HostedWorker {
  private readonly window: BrowserWindow;
  private readonly name: string;
  private readonly startedAt = performance.now();
  private job: RunJob | null = null;
  private files = new Set<string>();

  constructor(window: BrowserWindow, name: string) {
    super();
    this.window = window;
    this.name = name;
    window.on('closed', () => this.exited({ code: 0, signal: null }));
    window.webContents.on('render-process-gone', (_event, details) => {
      this.exited({ code: details.exitCode, signal: details.reason });
      if (!window.isDestroyed()) window.destroy();
    });
  }

  /** The renderer's OS process id (the page has no Node process of its own). */
  get pid(): number | undefined {
    return this.window.isDestroyed() ? undefined : this.window.webContents.getOSProcessId();
  }

  failed(error: LabError): void {
    this.received({ type: 'error', error: error.toJSON() });
    this.kill();
  }

  send(message: ToWorker): void {
    if (this.exit !== null || this.window.isDestroyed()) throw new LabError('unavailable', `Worker ${this.name} (an engine window) is no longer running.`);
    if (message.type === 'run') {
      this.job = message.job;
      this.files = datasetPaths(message.job.dataset);
    }
    this.window.webContents.send(ENGINE_DELIVER_CHANNEL, message);
    // A page cannot close its own window reliably; the host does, after handing the message over.
    if (message.type === 'shutdown') this.close({ code: 0, signal: null });
  }

  /** One data request of the page (src/worker/browser/page-protocol.ts), for this worker's job only. */
  async answer(raw: unknown): Promise<{ ok: true; value: unknown } | { ok: false; error: ReturnType<LabError['toJSON']> }> {
    try {
      return { ok: true, value: await this.serve(raw) };
    } catch (error) {
      return { ok: false, error: LabError.wrap(error).toJSON() };
    }
  }

  private async serve(raw: unknown): Promise<unknown> {
    const request = (typeof raw === 'object' && raw !== null ? raw : {}) as { op?: unknown; file?: unknown; offset?: unknown; length?: unknown; bytes?: unknown };
    const job = this.job;
    if (job === null) throw new LabError('conflict', 'This engine window has not been sent a job; it may read nothing yet.');
    switch (request.op) {
      case 'size':
        return (await stat(this.allowed(request.file))).size;
      case 'read': {
        const { offset, length } = request;
        if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0) {
          throw new LabError('bad-request', `A read needs a whole offset and length, got ${String(offset)} and ${String(length)}.`);
        }
        const handle = await open(this.allowed(request.file), 'r');
        try {
          const bytes = new Uint8Array(length as number);
          const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset as number);
          if (bytesRead !== bytes.length) throw new LabError('bad-request', `${String(request.file)}: ${bytesRead} bytes at ${String(offset)}, asked for ${bytes.length}.`, 'The file is truncated; import the dataset again.');
          return bytes;
        } finally {
          await handle.close();
        }
      }
      case 'write-checkpoint':
        if (!(request.bytes instanceof Uint8Array)) throw new LabError('bad-request', 'A checkpoint must be sent as bytes.');
        await writeCheckpointAtomically(job.checkpointPath, request.bytes);
        return null;
      case 'read-checkpoint':
        // Refuses a missing or damaged file in the words the Node worker uses.
        await readCheckpointFile(job.checkpointPath, job.runId, 'resume');
        return new Uint8Array(await readFile(job.checkpointPath));
      case 'usage':
        return this.usage();
      default:
        throw new LabError('bad-request', `Unknown engine data request ${JSON.stringify(request.op)}.`);
    }
  }

  private allowed(file: unknown): string {
    const path = typeof file === 'string' ? resolve(file) : '';
    if (!this.files.has(path)) throw new LabError('unauthorized', `The engine page asked for ${String(file)}, which is not a file of its job.`);
    return path;
  }

  /**
   * cpuMs: the renderer process's CPU time (Electron's app metrics, cumulativeCPUUsage in seconds): the engine's
   * JavaScript and its WebGPU command encoding, not the GPU's own work, which runs in the GPU process; wallMs: time
   * since the window was created.
   */
  private usage(): { cpuMs: number; wallMs: number } {
    const pid = this.pid;
    const metric = app.getAppMetrics().find((m) => m.pid === pid);
    return { cpuMs: (metric?.cpu.cumulativeCPUUsage ?? 0) * 1000, wallMs: performance.now() - this.startedAt };
  }

  kill(): void {
    this.close({ code: null, signal: 'SIGTERM' });
  }

  /** Reports the exit (before destroy()'s own 'closed', which would say code 0) and destroys the window. */
  private close(exit: WorkerExit): void {
    this.exited(exit);
    if (!this.window.isDestroyed()) this.window.destroy();
  }
}
