/**
 * The lab core: everything the application does that is not a window. The Electron shell, the `pdash` CLI
 * and the web-mode server are thin front doors onto one LabCore.
 */
import type { Channel, RequestOf, ResponseOf } from '../../shared/contract/index.ts';
import type { ComputeProbe } from '../../worker/index.ts';
import { probeCompute } from './compute.ts';
import { DatasetRegistry } from './datasets/registry.ts';
import { sweepStaleUploads } from './datasets/uploads.ts';
import { LabEvents } from './events.ts';
import { createHandlers, dispatch } from './handlers/index.ts';
import type { Handlers } from './handlers/types.ts';
import { ensureLabFolder, type LabPaths } from './lab-folder.ts';
import { openLabDatabase, type LabDatabase } from './log/database.ts';
import { ExperimentLog } from './log/experiment-log.ts';
import { processAlive } from '../../platform/process-alive.ts';
import { RunService } from './runs/run-service.ts';
import { BrowserWorkerHost } from './runs/browser-host.ts';
import { ForkWorkerHost, type WorkerHost } from './runs/worker-host.ts';
import { BACKEND_NAMES, BROWSER_ONLY_BACKENDS } from '../../shared/engine/index.ts';
import type { FrontDoor, LabServices } from './lab-services.ts';

export interface LabCoreOptions {
  /** The lab folder (see resolveLabDir). */
  labDir: string;
  frontDoor: FrontDoor;
  /** How worker processes start: utilityProcess in Electron, child_process.fork elsewhere. */
  workerHost?: WorkerHost;
  /** The folder relative file paths in requests are resolved against (the CLI's working folder). */
  cwd?: string;
  /** Prints an HTML report to PDF. The app uses Electron's own Chromium; elsewhere the machine's Chromium is driven. */
  printPdf?: (html: string) => Promise<Uint8Array>;
  /**
   * Where backends that need a Chromium page run (webgpu): the app's hidden-window host, or by default a headless
   * Chromium driven through playwright-core (BrowserWorkerHost, started on first use); null: none.
   */
  browserHost?: (WorkerHost & { close?: () => Promise<void> | void }) | null;
}

export class LabCore implements LabServices {
  readonly paths: LabPaths;
  readonly frontDoor: FrontDoor;
  readonly db: LabDatabase;
  readonly schemaVersion: number;
  readonly sqliteVersion: string;
  readonly workerHost: WorkerHost;
  readonly events = new LabEvents();
  readonly datasets: DatasetRegistry;
  readonly log: ExperimentLog;
  readonly runs: RunService;
  readonly cwd: string;
  readonly printPdf: ((html: string) => Promise<Uint8Array>) | undefined;
  private readonly handlers: Handlers;
  private computeProbe: Promise<ComputeProbe> | null = null;
  private browserProbe: Promise<ComputeProbe> | null = null;
  private readonly browserHostOption: LabCoreOptions['browserHost'];
  private browserHostInstance: (WorkerHost & { close?: () => Promise<void> | void }) | null = null;
  private closed = false;
  private readonly closing = new AbortController();

  private constructor(options: LabCoreOptions, paths: LabPaths, opened: ReturnType<typeof openLabDatabase>) {
    this.paths = paths;
    this.frontDoor = options.frontDoor;
    this.db = opened.db;
    this.schemaVersion = opened.schemaVersion;
    this.sqliteVersion = opened.sqliteVersion;
    this.workerHost = options.workerHost ?? new ForkWorkerHost();
    this.cwd = options.cwd ?? process.cwd();
    this.printPdf = options.printPdf;
    this.datasets = new DatasetRegistry(this.db, paths);
    this.datasets.sweepAbandonedImports();
    sweepStaleUploads(paths.uploads);
    this.log = new ExperimentLog(this.db);
    // Runs left 'running' by a lab process that died are marked interrupted; they resume from a checkpoint.
    this.log.markOrphansInterrupted((pid) => pid !== process.pid && processAlive(pid));
    this.browserHostOption = options.browserHost;
    this.runs = new RunService({
      log: this.log,
      datasets: this.datasets,
      host: this.workerHost,
      hostFor: () => this.browserHost(),
      paths,
      events: this.events,
      compute: () => this.compute(),
    });
    this.handlers = createHandlers(this);
  }

  /** Opens the lab folder (creating it if needed) and its database, applying pending migrations. */
  static open(options: LabCoreOptions): LabCore {
    const paths = ensureLabFolder(options.labDir);
    return new LabCore(options, paths, openLabDatabase(paths.database));
  }

  /** The compute backends a worker can start, probed once per core. */
  compute(): Promise<ComputeProbe> {
    if (this.computeProbe === null) {
      this.computeProbe = probeCompute(this.workerHost, { signal: this.closing.signal });
      // A failed probe is not cached: the next request tries again.
      this.computeProbe.catch(() => {
        this.computeProbe = null;
      });
    }
    return this.computeProbe;
  }

  /** The host of Chromium-page workers (webgpu), created on first use; null when the lab was opened without one. */
  browserHost(): WorkerHost | null {
    if (this.browserHostOption !== undefined) return this.browserHostOption;
    if (this.closed) return null;
    this.browserHostInstance ??= new BrowserWorkerHost();
    return this.browserHostInstance;
  }

  /**
   * compute() and the backends a Chromium page starts, probed once per core in a page of the browser host (it
   * launches Chromium: only lab/info asks, never a run's start). A browser that cannot start is reported as
   * webgpu unavailable, with the reason.
   */
  async computeAll(): Promise<ComputeProbe> {
    const host = this.browserHost();
    const node = this.compute();
    if (host === null) return node;
    if (this.browserProbe === null) {
      this.browserProbe = probeCompute(host, { signal: this.closing.signal });
      this.browserProbe.catch(() => {
        this.browserProbe = null;
      });
    }
    const [nodeProbe, pageProbe] = await Promise.all([node, this.browserProbe.catch((error: unknown) => error as Error)]);
    const pageBackends =
      pageProbe instanceof Error
        ? [{ name: 'webgpu' as const, available: false, detail: `the browser host could not probe it: ${pageProbe.message}`, probeMs: null }]
        : pageProbe.backends.filter((b) => BROWSER_ONLY_BACKENDS.includes(b.name));
    const order = (name: string): number => BACKEND_NAMES.indexOf(name as (typeof BACKEND_NAMES)[number]);
    return { ...nodeProbe, backends: [...nodeProbe.backends, ...pageBackends].sort((a, b) => order(a.name) - order(b.name)) };
  }

  /** Validates a request from any transport and answers it; throws LabError. */
  request(channel: unknown, rawRequest: unknown): Promise<unknown> {
    return dispatch(this.handlers, channel, rawRequest);
  }

  /** Typed form of request() for in-process callers such as the CLI. */
  async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
    return (await dispatch(this.handlers, channel, request)) as ResponseOf<C>;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    // Workers die with the lab; their runs are left interrupted, resumable from their last checkpoint.
    this.runs.close();
    void this.browserHostInstance?.close?.();
    this.log.markOrphansInterrupted(() => false, process.pid);
    this.db.close();
  }
}
