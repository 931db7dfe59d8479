/**
 * The Node worker entry `pdash bench` forks (src/cli/commands/bench.ts), one per backend, one after another (a
 * backend is process-wide in TF.js). It serves the worker protocol (protocol.ts, message-loop.ts) as main.ts does,
 * with one addition: `setupBackend`, which lets it answer a 'bench' message (set up the named backend through
 * node-runtime.ts, run the engine's benchmarks on it). The engine page answers the same message for webgpu, so the
 * CLI drives both hosts alike:
 *
 *   fork('src/worker/bench-main.ts')        <- ready
 *   -> { type: 'bench', backend?, threads?, spec }
 *   <- backend, bench-progress*, bench-layer*, then bench-result or bench-error
 *   -> { type: 'shutdown' }                  (the process exits)
 *
 * It is an entry of its own only because main.ts (the lab's worker entry) does not pass `setupBackend`; with that
 * one option added there, `pdash bench` could fork main.ts and this file would go.
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
// Disconnection of the IPC channel means the CLI is gone: a worker must not outlive it.
process.on('disconnect', () => process.exit(0));
