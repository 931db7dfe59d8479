import { LabError } from '../../shared/errors.ts';
import type { ComputeProbe } from '../../worker/index.ts';
import type { WorkerHost } from './runs/worker-host.ts';

/** A probe loads tfjs and tries each backend; loading libtensorflow can take a while on a cold disk. */
const PROBE_TIMEOUT_MS = 60_000;

/**
 * Asks a fresh worker process which compute backends it can start. The answer comes from the process that
 * would run a search, so it reflects what a run would really get (optional native packages, wasm threads).
 */
export function probeCompute(host: WorkerHost, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ComputeProbe> {
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new LabError('unavailable', 'The lab is closing; the compute probe was not started.'));
      return;
    }
    const worker = host.start({ name: 'probe' });
    let settled = false;
    const finish = (error: LabError | null, probe?: ComputeProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopMessages();
      stopExit();
      options.signal?.removeEventListener('abort', onAbort);
      worker.kill();
      if (error) reject(error);
      else resolve(probe as ComputeProbe);
    };
    const timer = setTimeout(() => {
      finish(new LabError('unavailable', `The compute probe did not answer within ${timeoutMs / 1000} s.`, 'Check that the worker can start (run `pdash info` from a terminal to see its output).'));
    }, timeoutMs);
    const stopMessages = worker.onMessage((message) => {
      if (message.type === 'ready') worker.send({ type: 'probe' });
      else if (message.type === 'probe-result') finish(null, message.probe);
      else if (message.type === 'error') finish(LabError.from(message.error));
    });
    // A lab that closes takes its probe with it: no worker outlives the process that asked.
    const onAbort = (): void => finish(new LabError('unavailable', 'The lab closed before the compute probe answered.'));
    options.signal?.addEventListener('abort', onAbort);
    const stopExit = worker.onExit(({ code, signal }) => {
      finish(new LabError('unavailable', `The compute probe worker exited before answering (code ${code ?? 'none'}, signal ${signal ?? 'none'}).`, 'Its output above says why; check the Node version (24 is required) and the installed packages.'));
    });
  });
}
