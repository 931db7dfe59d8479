/**
 * Runs one job in this worker: sets up the compute backend, loads the dataset, runs the engine, and reports
 * every event, checkpoint and the outcome to the core. Checkpoints are written atomically (temporary file,
 * fsync, rename), so a worker killed mid-write leaves the previous checkpoint intact (see checkpoint-file.ts).
 */
import { existsSync } from 'node:fs';
import { LabError } from '../shared/errors.ts';
import { readCheckpointFile, writeCheckpointAtomically } from './checkpoint-file.ts';
import { runMethod, RunCancelledError } from './engine/index.ts';
import { encodeCheckpoint, validateConfig } from '../shared/engine/index.ts';
import { loadDataset } from './dataset-loader.ts';
import { setupNodeRuntime } from './node-runtime.ts';
import type { ParentPort } from './parent-port.ts';
import type { RunJob } from './protocol.ts';

export interface RunControl {
  signal: AbortSignal;
  /** Why the run was stopped, once it was. */
  stopMode(): 'cancel' | 'pause' | null;
}

/** This process's CPU time (user + system, all its threads) and wall time since it started. */
function processUsage(): { cpuMs: number; wallMs: number } {
  const cpu = process.cpuUsage();
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: process.uptime() * 1000 };
}

export async function runJob(job: RunJob, port: ParentPort, control: RunControl): Promise<void> {
  const report = await setupNodeRuntime({ ...(job.backend ? { backend: job.backend } : {}), ...(job.threads ? { threads: job.threads } : {}) });
  port.post({ type: 'backend', report });
  // The configuration stored with the run when its experiment was created: checked, then run as it is.
  const config = job.config;
  try {
    validateConfig(config);
  } catch (error) {
    throw new LabError('bad-request', `Run ${job.runId}: ${error instanceof Error ? error.message : String(error)}`, 'Fix the experiment settings and start a new experiment.');
  }
  const loaded = await loadDataset(job.dataset);
  let lastCheckpointBytes = 0;
  try {
    await runMethod(job.method, config, loaded.dataset, job.seed, {
      signal: control.signal,
      onEvent: (event) => {
        port.post({ type: 'engine-event', event: event as unknown as { type: string } });
        if (event.type === 'checkpoint') {
          port.post({ type: 'checkpoint-saved', path: job.checkpointPath, bytes: lastCheckpointBytes, phase: event.phase, round: event.round, trial: event.trial, epoch: event.epoch });
          port.post({ type: 'usage', ...processUsage() });
        }
      },
      saveCheckpoint: async (checkpoint) => {
        const bytes = encodeCheckpoint(checkpoint);
        lastCheckpointBytes = bytes.byteLength;
        await writeCheckpointAtomically(job.checkpointPath, bytes);
      },
      loadCheckpoint: async () => {
        if (!job.resume) return null;
        if (!existsSync(job.checkpointPath)) {
          throw new LabError('not-found', `Run ${job.runId} has no checkpoint at ${job.checkpointPath} to resume from.`, `Resume run ${job.runId} again: without a checkpoint file it starts from the beginning.`);
        }
        // Checked by the core before the run was queued; this catches a file damaged since, in the same words.
        return readCheckpointFile(job.checkpointPath, job.runId, 'resume');
      },
    });
    port.post({ type: 'usage', ...processUsage() });
    port.post({ type: 'run-end', status: 'done' });
  } catch (error) {
    // Before the message that ends the run: the core stops listening once the worker has exited.
    port.post({ type: 'usage', ...processUsage() });
    if (error instanceof RunCancelledError || control.signal.aborted) {
      port.post({ type: 'run-end', status: control.stopMode() === 'pause' ? 'paused' : 'cancelled' });
      return;
    }
    throw error;
  } finally {
    await loaded.close();
  }
}
