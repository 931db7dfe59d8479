/**
 * Worker process entry: an adapter between the host's message port and the engine. It owns nothing but the
 * protocol (message-loop.ts, shared with the page entry); the numerics live in ./engine. The lab's runs and
 * `pdash bench` (a 'bench' message, one worker per backend) both start it.
 */
import { serveWorker } from './message-loop.ts';
import { probeNodeBackends, setupNodeRuntime } from './node-runtime.ts';
import { connectParentPort } from './parent-port.ts';
import { nodeJobRuntime } from './run-job.ts';

serveWorker(connectParentPort(), {
  pid: process.pid,
  probe: probeNodeBackends,
  runtime: nodeJobRuntime,
  setupBackend: setupNodeRuntime,
  // Leave through exit(): wasm's pthread workers and tfjs-node's thread pools must not keep the process alive.
  exit: () => process.exit(0),
});
// Disconnection of the IPC channel means the core is gone: a worker must not outlive it.
process.on('disconnect', () => process.exit(0));
