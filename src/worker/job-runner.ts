/**
 * Runs one job, whatever hosts the engine: sets up the compute backend, loads the dataset, runs the engine, and
 * reports every event, checkpoint, the usage and the outcome as protocol messages. What differs between hosts
 * (a forked Node process, a Chromium page) is the small JobRuntime they pass: how a backend starts, where the
 * dataset's bytes and the checkpoint live, and what usage can be measured. The Node worker's runtime is
 * run-job.ts's; the page's is browser/page-runtime.ts.
 */
import { LabError } from '../shared/errors.ts';
import { runMethod, RunCancelledError, type BackendReport } from './engine/index.ts';
import { encodeCheckpoint, validateConfig, type RunCheckpoint } from '../shared/engine/index.ts';
import type { LoadedDataset } from './dataset-loader.ts';
import type { DatasetFiles, FromWorker, RunJob } from './protocol.ts';

export interface RunControl {
  signal: AbortSignal;
  /** Why the run was stopped, once it was. */
  stopMode(): 'cancel' | 'pause' | null;
}

/** Where worker messages go (the host's port). */
export interface WorkerPort {
  post(message: FromWorker): void;
}

export interface WorkerUsage {
  cpuMs: number;
  wallMs: number;
}

/** What a host gives the job runner. */
export interface JobRuntime {
  setupBackend(job: RunJob): Promise<BackendReport>;
  loadDataset(files: DatasetFiles): Promise<LoadedDataset>;
  /** Stores the checkpoint so that a crash mid-write leaves the previous one intact. */
  writeCheckpoint(job: RunJob, bytes: Uint8Array): Promise<void>;
  /** The checkpoint to resume from; a LabError when there is none or it is damaged. */
  readCheckpoint(job: RunJob): Promise<RunCheckpoint>;
  /** CPU time and wall time of the host's process (or page) since it started; each host says what it measures. */
  usage(): Promise<WorkerUsage>;
}

export async function runJobWith(runtime: JobRuntime, job: RunJob, port: WorkerPort, control: RunControl): Promise<void> {
  const report = await runtime.setupBackend(job);
  port.post({ type: 'backend', report });
  // The configuration stored with the run when its experiment was created: checked, then run as it is.
  const config = job.config;
  try {
    validateConfig(config);
  } catch (error) {
    throw new LabError('bad-request', `Run ${job.runId}: ${error instanceof Error ? error.message : String(error)}`, 'Fix the experiment settings and start a new experiment.');
  }
  const postUsage = async (): Promise<void> => port.post({ type: 'usage', ...(await runtime.usage()) });
  const loaded = await runtime.loadDataset(job.dataset);
  let lastCheckpointBytes = 0;
  // Usage is measured asynchronously in some hosts; events keep their order because each waits for the last.
  let pending: Promise<void> = Promise.resolve();
  try {
    await runMethod(job.method, config, loaded.dataset, job.seed, {
      signal: control.signal,
      onEvent: (event) => {
        port.post({ type: 'engine-event', event: event as unknown as { type: string } });
        if (event.type === 'checkpoint') {
          port.post({ type: 'checkpoint-saved', path: job.checkpointPath, bytes: lastCheckpointBytes, phase: event.phase, round: event.round, trial: event.trial, epoch: event.epoch });
          pending = pending.then(postUsage);
        }
      },
      saveCheckpoint: async (checkpoint) => {
        const bytes = encodeCheckpoint(checkpoint);
        lastCheckpointBytes = bytes.byteLength;
        await runtime.writeCheckpoint(job, bytes);
      },
      loadCheckpoint: async () => (job.resume ? runtime.readCheckpoint(job) : null),
    });
    await pending;
    await postUsage();
    port.post({ type: 'run-end', status: 'done' });
  } catch (error) {
    // Before the message that ends the run: the core stops listening once the worker has exited.
    await pending.catch(() => undefined); // a failed usage probe must not hide the run's own error
    await postUsage();
    if (error instanceof RunCancelledError || control.signal.aborted) {
      port.post({ type: 'run-end', status: control.stopMode() === 'pause' ? 'paused' : 'cancelled' });
      return;
    }
    throw error;
  } finally {
    await loaded.close();
  }
}
