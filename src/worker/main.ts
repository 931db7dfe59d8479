/**
 * Worker process entry: an adapter between the host's message port and the engine. It owns nothing but the
 * protocol; the numerics live in ./engine.
 */
import { LabError } from '../shared/errors.ts';
import { probeNodeBackends } from './node-runtime.ts';
import { connectParentPort } from './parent-port.ts';
import { ToWorker } from './protocol.ts';
import { runJob } from './run-job.ts';

const port = connectParentPort();
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
      port.post({ type: 'probe-result', probe: await probeNodeBackends() });
      return;
    case 'run':
      if (running) {
        port.post({ type: 'error', error: new LabError('conflict', 'This worker is already running a job; start another worker.').toJSON() });
        return;
      }
      running = true;
      try {
        await runJob(message.job, port, { signal: stop.signal, stopMode: () => stopMode });
      } catch (error) {
        port.post({ type: 'run-end', status: 'failed', error: LabError.wrap(error).toJSON() });
      }
      return;
    case 'stop':
      stopMode = message.mode;
      stop.abort();
      return;
    case 'shutdown':
      process.exit(0);
  }
}

port.onMessage((raw) => {
  handle(raw).catch((error: unknown) => port.post({ type: 'error', error: LabError.wrap(error).toJSON() }));
});
// Disconnection of the IPC channel means the core is gone: a worker must not outlive it.
process.on('disconnect', () => process.exit(0));
port.post({ type: 'ready', pid: process.pid });
