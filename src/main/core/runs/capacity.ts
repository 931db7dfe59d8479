/**
 * How many runs this machine takes at once, and how many compute threads each run gets, from its cores, its
 * free memory and the backend the workers start. `runCapacity` is a pure function of the numbers it is given
 * (tested with made-up machines); `machineResources` reads this machine's.
 */
import os from 'node:os';
import type { ComputeBackend } from '../../../shared/contract/index.ts';

export type BackendName = ComputeBackend['name'];

export interface MachineResources {
  /** Cores this process may use: os.availableParallelism(), which honours the CPU affinity mask. */
  cores: number;
  /** Bytes a new process can still get: process.availableMemory(), which honours a cgroup's memory limit. */
  freeMemory: number;
}

export interface RunCapacity {
  /** Runs at once. */
  concurrency: number;
  /** Compute threads per run (the wasm pthread pool, or libtensorflow's intra-op pool). */
  threads: number;
  cores: number;
  /** The backend the numbers were chosen for; null when --concurrency chose them (any backend). */
  backend: BackendName | null;
  /** What set the number of runs. */
  limitedBy: 'cores' | 'memory' | 'gpu' | 'requested';
}

/**
 * A run's resident memory, planned high. Measured on ecg-synth small (wasm, 1 thread): peak RSS 606 MiB
 * (/usr/bin/time -v) of `node bench/search-probe.ts --task ecg --method backbone --seed 0` at quick, and 683 and
 * 700 MiB RSS (ps, mid-run) of two DASH searches on the same data. Larger datasets and grids grow it, so a run is
 * planned at 1 GiB.
 */
export const RUN_MEMORY_BYTES = 1024 ** 3;

/**
 * Threads per run on native TensorFlow (tfjs-node, multi-threaded intra-op). Not measured here (libtensorflow
 * is not installed on the machines this lab was built on); the search's convolutions are small (batch 32,
 * 1 000 steps x 64 channels at most), and an intra-op pool splits such ops into few useful pieces, so a
 * 16-core machine runs 4 runs of 4 threads rather than one run of 16.
 */
export const NATIVE_THREADS_PER_RUN = 4;

export function machineResources(): MachineResources {
  return { cores: os.availableParallelism(), freeMemory: process.availableMemory() };
}

/**
 * wasm and cpu: one run per core, since one run keeps about one core busy whatever its thread count (measured,
 * issue #12: XNNPACK's threads help little with these small 1-D convolutions); threads = cores / runs.
 * tensorflow: fewer runs with NATIVE_THREADS_PER_RUN threads each. tensorflow-gpu and webgpu: one run per GPU
 * (tfjs-node-gpu places every op on the first GPU, so `gpus` is 1 unless a host says otherwise), with the
 * cores shared among them. Memory caps the runs at freeMemory / RUN_MEMORY_BYTES; at least one run always
 * starts. `requested` (--concurrency K) overrides: K runs of max(1, floor(cores / K)) threads.
 */
export function runCapacity(machine: MachineResources, backend: BackendName | null, options: { requested?: number; gpus?: number } = {}): RunCapacity {
  const { cores, freeMemory } = machine;
  if (!Number.isInteger(cores) || cores < 1) throw new Error(`runCapacity: cores must be a positive integer, got ${cores}`);
  if (!Number.isFinite(freeMemory) || freeMemory < 0) throw new Error(`runCapacity: freeMemory must be a non-negative number of bytes, got ${freeMemory}`);
  const threadsFor = (concurrency: number): number => Math.max(1, Math.floor(cores / concurrency));
  const { requested, gpus = 1 } = options;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new Error(`runCapacity: the requested concurrency must be a positive integer, got ${requested}`);
    return { concurrency: requested, threads: threadsFor(requested), cores, backend, limitedBy: 'requested' };
  }
  if (backend === null) throw new Error('runCapacity: without a requested concurrency the backend must be known');
  if (!Number.isInteger(gpus) || gpus < 1) throw new Error(`runCapacity: gpus must be a positive integer, got ${gpus}`);
  const byCompute =
    backend === 'tensorflow-gpu' || backend === 'webgpu' ? gpus : backend === 'tensorflow' ? Math.max(1, Math.floor(cores / NATIVE_THREADS_PER_RUN)) : cores;
  const byMemory = Math.max(1, Math.floor(freeMemory / RUN_MEMORY_BYTES));
  const concurrency = Math.min(byCompute, byMemory);
  const limitedBy = byMemory < byCompute ? 'memory' : backend === 'tensorflow-gpu' || backend === 'webgpu' ? 'gpu' : 'cores';
  return { concurrency, threads: threadsFor(concurrency), cores, backend, limitedBy };
}

/** "2 runs at a time, 1 thread each (2 cores, wasm)": what the CLI prints when its queue starts. */
export function describeCapacity(capacity: RunCapacity): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const why =
    capacity.limitedBy === 'requested' ? ', --concurrency' : capacity.limitedBy === 'memory' ? `, ${capacity.backend}, limited by free memory` : `, ${capacity.backend}`;
  return `${plural(capacity.concurrency, 'run')} at a time, ${plural(capacity.threads, 'thread')} each (${plural(capacity.cores, 'core')}${why})`;
}
