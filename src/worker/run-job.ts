/**
 * The Node worker's job runtime: the backend through node-runtime.ts, the dataset from the lab's .npy files,
 * checkpoints written atomically (temporary file, fsync, rename), so a worker killed mid-write leaves the previous
 * checkpoint intact (see checkpoint-file.ts), and the process's own CPU time. The job's logic is job-runner.ts's,
 * shared with the page host.
 */
import { existsSync } from 'node:fs';
import { LabError } from '../shared/errors.ts';
import { readCheckpointFile, writeCheckpointAtomically } from './checkpoint-file.ts';
import { loadDataset } from './dataset-loader.ts';
import { runJobWith, type JobRuntime, type RunControl, type WorkerPort } from './job-runner.ts';
import { setupNodeRuntime } from './node-runtime.ts';
import type { RunJob } from './protocol.ts';

export type { RunControl } from './job-runner.ts';

export const nodeJobRuntime: JobRuntime = {
  setupBackend: (job) => setupNodeRuntime({ ...(job.backend ? { backend: job.backend } : {}), ...(job.threads ? { threads: job.threads } : {}) }),
  loadDataset: (files) => loadDataset(files),
  writeCheckpoint: (job, bytes) => writeCheckpointAtomically(job.checkpointPath, bytes),
  readCheckpoint: async (job) => {
    if (!existsSync(job.checkpointPath)) {
      throw new LabError('not-found', `Run ${job.runId} has no checkpoint at ${job.checkpointPath} to resume from.`, `Resume run ${job.runId} again: without a checkpoint file it starts from the beginning.`);
    }
    // Checked by the core before the run was queued; this catches a file damaged since, in the same words.
    return readCheckpointFile(job.checkpointPath, job.runId, 'resume');
  },
  // This process's CPU time (user + system, all its threads) and wall time since it started.
  usage: async () => {
    const cpu = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: process.uptime() * 1000 };
  },
};

export async function runJob(job: RunJob, port: WorkerPort, control: RunControl): Promise<void> {
  await runJobWith(nodeJobRuntime, job, port, control);
}
