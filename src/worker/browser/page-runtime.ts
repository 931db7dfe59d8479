/**
 * The engine page's job runtime and probe: backends a page can start (webgpu, and cpu), the dataset and the
 * checkpoint through the host (host-link.ts). wasm is left out: its module needs CSP's 'wasm-unsafe-eval', which
 * the renderer's policy (src/shared/renderer-policy.ts) does not grant, and a page host exists for WebGPU.
 */
import { cpuLoader, initBackend, messageOf, probeBackends, type BackendLoader, type BackendName, type BackendReport } from '../engine/index.ts';
import { decodeCheckpoint } from '../../shared/engine/index.ts';
import { LabError } from '../../shared/errors.ts';
import { loadDataset } from '../dataset-loader.ts';
import type { JobRuntime } from '../job-runner.ts';
import type { ComputeProbe } from '../protocol.ts';
import type { HostLink } from './host-link.ts';
import { openHostNpy } from './host-npy.ts';
import { webgpuLoader } from './webgpu-loader.ts';

export const PAGE_BACKEND_LOADERS: readonly BackendLoader[] = [webgpuLoader, cpuLoader];

/** What the page can start, each timed on the probe step as the Node worker's backends are (probeBackends). */
export function probePageBackends(): Promise<ComputeProbe> {
  return probeBackends(PAGE_BACKEND_LOADERS);
}

/**
 * Starts `backend` (absent: the best the page can start) for a job or a bench. A page computes where its backend
 * does; a thread count (the queue's share, a bench's --threads) does not apply and is ignored.
 */
export function setupPageBackend(options: { backend?: BackendName; threads?: number }): Promise<BackendReport> {
  return initBackend(PAGE_BACKEND_LOADERS, options.backend !== undefined ? { backend: options.backend } : {});
}

export function pageJobRuntime(link: HostLink): JobRuntime {
  return {
    setupBackend: (job) => setupPageBackend(job.backend !== undefined ? { backend: job.backend } : {}),
    loadDataset: (files) => loadDataset(files, (file) => openHostNpy(link, file)),
    writeCheckpoint: (_job, bytes) => link.writeCheckpoint(bytes),
    readCheckpoint: async (job) => {
      const bytes = await link.readCheckpoint();
      try {
        return decodeCheckpoint(bytes);
      } catch (error) {
        // The host checked the file before sending it; this is a transfer that went wrong.
        throw new LabError('conflict', `Run ${job.runId}'s checkpoint arrived damaged in the engine page: ${messageOf(error)}`, `Resume run ${job.runId} again.`);
      }
    },
    usage: () => link.usage(),
  };
}
