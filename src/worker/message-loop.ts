/**
 * The worker's side of the protocol, whatever hosts it: parses what the core sends, answers probes, runs one job
 * or one bench at a time and turns stop and shutdown into the runner's abort. The Node process entry (main.ts) and
 * the page entry (browser/engine-page.ts) both serve through this.
 */
import { LabError } from '../shared/errors.ts';
import { runMixtureBench, runStepBench, type BackendName, type BackendReport } from './engine/index.ts';
import { runJobWith, type JobRuntime, type WorkerPort } from './job-runner.ts';
import { ToWorker, type ComputeProbe } from './protocol.ts';

export interface WorkerHostSide extends WorkerPort {
  onMessage(listener: (raw: unknown) => void): void;
}

export interface WorkerEnvironment {
  /** What 'ready' reports: the process id, or 0 where there is none (a page). */
  pid: number;
  probe(): Promise<ComputeProbe>;
  runtime: JobRuntime;
  /**
   * Sets up a backend for a bench (the host's loaders, as its runtime's setupBackend does for a job). A worker
   * without it answers a bench with 'bench-error' saying so.
   */
  setupBackend?(options: { backend?: BackendName; threads?: number }): Promise<BackendReport>;
  /** Ends this worker (process exit, page close). */
  exit(): void;
}

export function serveWorker(port: WorkerHostSide, environment: WorkerEnvironment): void {
  const stop = new AbortController();
  let stopMode: 'cancel' | 'pause' | null = null;
  let running = false;

  async function handle(raw: unknown): Promise<void> {
    const parsed = ToWorker.safeParse(raw);
    if (!parsed.success) {
      port.post({ type: 'error', error: new LabError('bad-request', `The worker received a malformed message: ${parsed.error.message}`).toJSON() });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'probe':
        port.post({ type: 'probe-result', probe: await environment.probe() });
        return;
      case 'run':
        if (running) {
          port.post({ type: 'error', error: new LabError('conflict', 'This worker is already running a job; start another worker.').toJSON() });
          return;
        }
        running = true;
        try {
          await runJobWith(environment.runtime, message.job, port, { signal: stop.signal, stopMode: () => stopMode });
        } catch (error) {
          port.post({ type: 'run-end', status: 'failed', error: LabError.wrap(error).toJSON() });
        }
        return;
      case 'bench':
        if (running) {
          port.post({ type: 'error', error: new LabError('conflict', 'This worker is already running a job or a bench; start another worker.').toJSON() });
          return;
        }
        running = true;
        await runBench(environment, message, port);
        return;
      case 'stop':
        stopMode = message.mode;
        stop.abort();
        return;
      case 'shutdown':
        environment.exit();
    }
  }

  port.onMessage((raw) => {
    handle(raw).catch((error: unknown) => port.post({ type: 'error', error: LabError.wrap(error).toJSON() }));
  });
  port.post({ type: 'ready', pid: environment.pid });
}

type BenchMessage = Extract<ToWorker, { type: 'bench' }>;

/**
 * Sets up the backend and runs the engine's benchmarks on it: 'backend', then progress and each mixture layer as it
 * is measured, then 'bench-result'; or 'bench-error' (stage 'backend' when the backend did not start).
 */
async function runBench(environment: WorkerEnvironment, message: BenchMessage, port: WorkerPort): Promise<void> {
  let report: BackendReport;
  try {
    if (environment.setupBackend === undefined) {
      throw new LabError('unavailable', 'This worker entry does not run benchmarks.', 'Start src/worker/main.ts (pdash bench does), or the engine page.');
    }
    report = await environment.setupBackend({ ...(message.backend !== undefined ? { backend: message.backend } : {}), ...(message.threads !== undefined ? { threads: message.threads } : {}) });
  } catch (error) {
    // A loader's error says why the backend cannot start and what to install (node-runtime.ts, webgpu-loader.ts).
    const wrapped = error instanceof LabError ? error : new LabError('unavailable', error instanceof Error ? error.message : String(error));
    port.post({ type: 'bench-error', stage: 'backend', error: wrapped.toJSON() });
    return;
  }
  port.post({ type: 'backend', report });
  const progress = (line: string): void => port.post({ type: 'bench-progress', message: line });
  try {
    const { spec } = message;
    const mixture = spec.mixture === null ? null : await runMixtureBench(spec.mixture, progress, (layer) => port.post({ type: 'bench-layer', layer }));
    const step = spec.step === null ? null : await runStepBench(spec.step, progress);
    port.post({ type: 'bench-result', mixture, step });
  } catch (error) {
    // The engine says what was wrong in its message (a filter that matches no layer lists the layers); the stack
    // travels beside it for a failure that is a bug.
    const wrapped = error instanceof LabError ? error : new LabError('internal', error instanceof Error ? error.message : String(error));
    port.post({ type: 'bench-error', stage: 'bench', error: wrapped.toJSON(), ...(error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {}) });
  }
}
