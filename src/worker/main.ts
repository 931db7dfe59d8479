/**
 * Worker process entry: an adapter between the host's message port and the engine. It owns nothing but the
 * protocol (message-loop.ts, shared with the page entry); the numerics live in ./engine.
 */
import { serveWorker } from './message-loop.ts';
import { probeNodeBackends } from './node-runtime.ts';
import { connectParentPort } from './parent-port.ts';
import { nodeJobRuntime } from './run-job.ts';

serveWorker(connectParentPort(), { pid: process.pid, probe: probeNodeBackends, runtime: nodeJobRuntime, exit: () => process.exit(0) });
// Disconnection of the IPC channel means the core is gone: a worker must not outlive it.
process.on('disconnect', () => process.exit(0));
