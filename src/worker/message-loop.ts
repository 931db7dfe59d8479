/**
 * The worker's side of the protocol, whatever hosts it: parses what the core sends, answers probes, runs one job
 * at a time and turns stop and shutdown into the runner's abort. The Node process entry (main.ts) and the page
 * entry (browser/engine-page.ts) both serve through this.
 */
import { LabError } from '../shared/errors.ts';
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
