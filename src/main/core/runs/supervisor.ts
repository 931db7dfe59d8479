/**
 * Runs one search run in its own worker process and keeps the log true to what happened: every event the
 * worker reports is written as it arrives (so a crash loses nothing already reported), checkpoints are
 * recorded with their path, and the run ends as done, failed, cancelled, paused or interrupted (a worker that
 * died without saying why). Progress goes to listeners throttled to about 10 Hz.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { LabError, type SerializedLabError } from '../../../shared/errors.ts';
import { BROWSER_ONLY_BACKENDS, isBackendName, type BackendName, type EngineEvent } from '../../../shared/engine/index.ts';
import { CHECKPOINT_FILE, sweepCheckpointTemporaries, type DatasetFiles, type FromWorker, type RunJob } from '../../../worker/index.ts';
import { NORMALIZATION_EPS } from '../datasets/import-pipeline.ts';
import { storedRunConfig } from '../log/stored-config.ts';
import type { DatasetRecord } from '../datasets/registry.ts';
import type { LabPaths } from '../lab-folder.ts';
import type { CheckpointRecord, ExperimentLog, RunRow } from '../log/experiment-log.ts';
import type { RunStatus } from '../../../shared/contract/index.ts';
import { throttle } from '../throttle.ts';
import type { WorkerHost, WorkerProcess } from './worker-host.ts';

export type RunEndStatus = Exclude<RunStatus, 'queued' | 'running'>;

export interface RunListener {
  /** A throttled view of progress: phase, fraction, the latest epoch event. */
  progress(runId: number, update: { phase: string | null; progress: number; event: EngineEvent }): void;
  /** Every engine event, unthrottled (the core forwards the ones the renderer plots). */
  event(runId: number, event: EngineEvent): void;
  status(runId: number, status: RunStatus, error: SerializedLabError | null): void;
  checkpoint(runId: number, checkpoint: CheckpointRecord): void;
}

export interface SupervisorOptions {
  log: ExperimentLog;
  host: WorkerHost;
  paths: LabPaths;
  dataset: (id: number) => DatasetRecord;
  listener: RunListener;
  /** How long a worker may take to stop after a stop request before it is killed. */
  stopGraceMs?: number;
  /**
   * The host for a backend that `host` cannot start (webgpu needs a Chromium page: browser-host.ts); absent or
   * null: runs asking for it fail, saying why.
   */
  hostFor?: (backend: BackendName) => WorkerHost | null;
  /** The backend an experiment that asked for none ('auto') runs on: the probe's fastest; null leaves it to the worker. */
  defaultBackend?: () => Promise<BackendName | null>;
}

/** The backend an experiment asked for (its stored request's `backend`); null for 'auto' or an older experiment. */
export function requestedBackend(settingsJson: string): BackendName | null {
  try {
    const backend = (JSON.parse(settingsJson) as { backend?: unknown }).backend;
    return isBackendName(backend) ? backend : null;
  } catch {
    return null;
  }
}

export function datasetFiles(record: DatasetRecord): DatasetFiles {
  const n = record.normalization;
  return {
    name: record.name,
    kind: record.kind,
    metric: record.metric.name,
    xShape: record.xShape,
    yShape: record.yShape,
    classes: record.classes,
    splits: record.files,
    normalization: {
      eps: n.eps ?? NORMALIZATION_EPS,
      x: { mode: n.x.mode, mean: join(record.folder, n.x.meanFile), std: join(record.folder, n.x.stdFile) },
      y: n.y ? { mode: n.y.mode, mean: join(record.folder, n.y.meanFile), std: join(record.folder, n.y.stdFile) } : null,
    },
  };
}

/** The configuration stored with the run, which its worker runs as it is; one this lab cannot read fails the run. */
function runnableConfig(run: RunRow): RunJob['config'] {
  const stored = storedRunConfig(run.config);
  if (!stored.ok) throw new LabError('bad-request', `Run ${run.id}: ${stored.error}`, 'Fix the experiment settings and start a new experiment.');
  return stored.value;
}

interface ActiveRun {
  worker: WorkerProcess;
  stopRequested: 'cancel' | 'pause' | null;
  killTimer: NodeJS.Timeout | null;
}

export class RunSupervisor {
  private readonly options: SupervisorOptions;
  private readonly active = new Map<number, ActiveRun>();
  /** Set when the lab closes: exits that follow are not written (the database is gone). */
  private closing = false;
  private pollTimer: NodeJS.Timeout | null = null;

  constructor(options: SupervisorOptions) {
    this.options = options;
  }

  get running(): number[] {
    return [...this.active.keys()];
  }

  /**
   * Starts a claimed run (status 'running') in a new worker with `threads` compute threads (the queue's share of
   * the cores; the backend's own default when absent); resolves with how it ended.
   */
  execute(run: RunRow, experimentDatasetId: number, resources: { threads?: number } = {}): Promise<RunEndStatus> {
    const asked = requestedBackend(this.options.log.experiment(run.experiment_id).settings);
    if (asked !== null || this.options.defaultBackend === undefined) return Promise.resolve(this.start(run, experimentDatasetId, resources, asked));
    return this.options.defaultBackend().then(
      (backend) => this.start(run, experimentDatasetId, resources, backend),
      () => this.start(run, experimentDatasetId, resources, null),
    );
  }

  private start(run: RunRow, experimentDatasetId: number, resources: { threads?: number }, backend: BackendName | null): Promise<RunEndStatus> {
    const { log, paths, listener } = this.options;
    const runDir = join(paths.runs, String(run.id));
    mkdirSync(runDir, { recursive: true });
    // A worker of an earlier attempt killed mid-write left its temporary; this run's worker is not started yet.
    sweepCheckpointTemporaries(runDir);
    const checkpointPath = join(runDir, CHECKPOINT_FILE);
    let job: RunJob;
    let host: WorkerHost;
    try {
      job = {
        runId: run.id,
        method: run.method,
        seed: run.seed,
        config: runnableConfig(run),
        dataset: datasetFiles(this.options.dataset(experimentDatasetId)),
        checkpointPath,
        // A checkpoint file the user moved away (it was damaged: see RunService.resume) means starting over.
        resume: run.resume === 1 && run.checkpoint !== null && existsSync(checkpointPath),
        ...(resources.threads !== undefined ? { threads: resources.threads } : {}),
        ...(backend !== null ? { backend } : {}),
      };
      host = this.hostOf(backend);
    } catch (error) {
      const failure = LabError.wrap(error).toJSON();
      log.finish(run.id, 'failed', failure);
      listener.status(run.id, 'failed', failure);
      return Promise.resolve('failed');
    }

    const worker = host.start({ name: `run-${run.id}` });
    const entry: ActiveRun = { worker, stopRequested: null, killTimer: null };
    this.active.set(run.id, entry);
    this.watchStopRequests();
    log.setWorker(run.id, worker.pid ?? null);
    // CPU time and wall of the attempts before this one; this worker's reports are added to them.
    const earlier = log.usage(run.id);
    listener.status(run.id, 'running', null);
    const progress = throttle((update: { phase: string | null; progress: number; event: EngineEvent }) => listener.progress(run.id, update), 100);

    return new Promise<RunEndStatus>((resolve) => {
      let ended: { status: RunEndStatus; error?: SerializedLabError } | null = null;

      /** Listeners only inform (the UI, a progress bar): their failure must not end a run whose log is fine. */
      const inform = (what: string, call: () => void): void => {
        try {
          call();
        } catch (error) {
          process.stderr.write(`P-DASH Lab: could not pass on ${what} of run ${run.id}: ${error instanceof Error ? error.message : String(error)}\n`);
        }
      };

      const onMessage = (message: FromWorker): void => {
        try {
          switch (message.type) {
            case 'ready':
              worker.send({ type: 'run', job });
              return;
            case 'backend':
              log.setBackend(run.id, message.report.name, message.report.threads);
              return;
            case 'engine-event': {
              const event = message.event as unknown as EngineEvent;
              log.record(run.id, event);
              inform(`a ${event.type} event`, () => listener.event(run.id, event));
              if (event.type === 'epoch' || event.type === 'phase-start' || event.type === 'result') {
                const row = log.run(run.id);
                inform('progress', () => progress.call({ phase: row.phase, progress: row.progress, event }));
              }
              return;
            }
            case 'checkpoint-saved': {
              const record = { path: message.path, phase: message.phase, round: message.round, trial: message.trial, epoch: message.epoch, bytes: message.bytes };
              log.setCheckpoint(run.id, record, relative(paths.root, message.path));
              inform('a checkpoint', () => listener.checkpoint(run.id, record));
              return;
            }
            case 'run-end':
              ended = { status: message.status, ...(message.error ? { error: message.error } : {}) };
              worker.send({ type: 'shutdown' });
              return;
            case 'error':
              ended = { status: 'failed', error: message.error };
              worker.kill();
              return;
            case 'usage':
              log.setUsage(run.id, { cpuMs: earlier.cpuMs + message.cpuMs, wallMs: earlier.wallMs + message.wallMs });
              return;
            case 'probe-result':
              return;
          }
        } catch (error) {
          // A write that fails (disk full, say) must stop the run rather than let it go on unrecorded.
          ended = { status: 'failed', error: LabError.wrap(error).toJSON() };
          worker.kill();
        }
      };

      const stopMessages = worker.onMessage(onMessage);
      const stopExit = worker.onExit(({ code, signal }) => {
        stopMessages();
        stopExit();
        progress.flush();
        if (entry.killTimer) clearTimeout(entry.killTimer);
        this.active.delete(run.id);
        if (this.closing) {
          resolve('interrupted');
          return;
        }
        let outcome = ended;
        if (outcome === null) {
          // Died without a word: killed, crashed or out of memory. What it reported is kept; it can resume.
          const how = signal !== null ? `was killed (${signal})` : `exited with code ${code}`;
          outcome =
            entry.stopRequested !== null
              ? { status: entry.stopRequested === 'pause' ? 'paused' : 'cancelled' }
              : { status: 'interrupted', error: new LabError('unavailable', `The worker of run ${run.id} ${how} before finishing.`, `Resume it with \`pdash resume ${run.id}\`; it continues from its last checkpoint.`).toJSON() };
        }
        log.finish(run.id, outcome.status, outcome.error);
        listener.status(run.id, outcome.status, outcome.error ?? null);
        resolve(outcome.status);
      });
    });
  }

  /** The host that starts `backend`: the lab's own, or for a backend only a Chromium page runs, that host. */
  private hostOf(backend: BackendName | null): WorkerHost {
    if (backend === null || !BROWSER_ONLY_BACKENDS.includes(backend)) return this.options.host;
    const host = this.options.hostFor?.(backend) ?? null;
    if (host === null) {
      throw new LabError(
        'unavailable',
        `The ${backend} backend runs in a Chromium page, and this lab has no browser host to start one.`,
        'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`) or set PDASH_CHROMIUM to a Chrome or Chromium executable, or choose another backend.',
      );
    }
    return host;
  }

  /** Stop requests can come from another lab process (a CLI `pdash cancel`): poll for them while runs are active. */
  private watchStopRequests(): void {
    if (this.pollTimer !== null) return;
    this.pollTimer = setInterval(() => {
      if (this.active.size === 0 || this.closing) {
        clearInterval(this.pollTimer!);
        this.pollTimer = null;
        return;
      }
      for (const request of this.options.log.stopRequests([...this.active.keys()])) {
        if (this.active.get(request.id)?.stopRequested === null) this.stop(request.id, request.mode);
      }
    }, 500);
    this.pollTimer.unref();
  }

  /** Asks a running run to stop at its next step boundary; kills its worker if it has not stopped in time. */
  stop(runId: number, mode: 'cancel' | 'pause'): boolean {
    const entry = this.active.get(runId);
    if (entry === undefined) return false;
    entry.stopRequested = mode;
    try {
      entry.worker.send({ type: 'stop', mode });
    } catch {
      entry.worker.kill('SIGKILL');
      return true;
    }
    entry.killTimer ??= setTimeout(() => entry.worker.kill('SIGKILL'), this.options.stopGraceMs ?? 30_000);
    return true;
  }

  /** Kills every worker (the lab is closing); their runs end as interrupted and can be resumed. */
  killAll(): void {
    this.closing = true;
    for (const entry of this.active.values()) entry.worker.kill('SIGKILL');
  }
}
