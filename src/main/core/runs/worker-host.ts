/**
 * One interface over the ways the core starts worker processes: child_process.fork here (CLI, web mode,
 * tests) and Electron's utilityProcess in the app (src/main/electron/utility-host.ts). The supervisor only
 * sees WorkerProcess.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LabError } from '../../../shared/errors.ts';
import { FromWorker, type ToWorker } from '../../../worker/index.ts';
import { forwardWorkerStderr } from './worker-output.ts';

export interface WorkerExit {
  code: number | null;
  signal: string | null;
}

export interface WorkerProcess {
  readonly pid: number | undefined;
  send(message: ToWorker): void;
  /** Messages that fail the protocol's schema are reported as errors, never passed on. */
  onMessage(listener: (message: FromWorker) => void): () => void;
  onExit(listener: (exit: WorkerExit) => void): () => void;
  kill(signal?: NodeJS.Signals): void;
}

export interface WorkerStartOptions {
  /** A label for logs and process listings, e.g. 'probe' or 'run-12'. */
  name: string;
  env?: Record<string, string>;
  /**
   * Where the worker's stdout and stderr go, as text (`pdash bench` turns them into progress lines, and the last of
   * them say why a worker died). Absent: the lab's own stdout and stderr (see forwardWorkerStderr).
   */
  output?: (text: string) => void;
}

export interface WorkerHost {
  readonly kind: 'fork' | 'utility' | 'browser';
  start(options: WorkerStartOptions): WorkerProcess;
}

/** The worker entry run from source by Node 24 (type stripping); the Electron build bundles its own copy. */
export const workerEntryFromSource: string = fileURLToPath(new URL('../../../worker/main.ts', import.meta.url));

/** Parses what a worker sent; a malformed message becomes an error message, so that it is seen and not acted on. */
export function parseWorkerMessage(raw: unknown): FromWorker {
  const parsed = FromWorker.safeParse(raw);
  if (parsed.success) return parsed.data;
  return {
    type: 'error',
    error: new LabError('internal', `A worker sent a malformed message: ${parsed.error.issues.map((i) => i.message).join('; ')}`).toJSON(),
  };
}

/** Starts workers with child_process.fork. */
export class ForkWorkerHost implements WorkerHost {
  readonly kind = 'fork' as const;
  private readonly entry: string;

  constructor(entry: string = workerEntryFromSource) {
    this.entry = entry;
  }

  start(options: WorkerStartOptions): WorkerProcess {
    const child = fork(this.entry, [`--pdash-worker=${options.name}`], {
      env: { ...process.env, ...options.env },
      // The parent's execArgv may carry a test runner's loaders; a worker needs none.
      execArgv: [],
      serialization: 'advanced',
      // stderr is piped to drop native TensorFlow's start-up notices (worker-output.ts); the rest passes through.
      stdio: ['ignore', options.output ? 'pipe' : 'inherit', 'pipe', 'ipc'],
    });
    const { output } = options;
    if (output !== undefined) {
      child.stdout?.on('data', (chunk: Buffer) => output(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output(chunk.toString()));
    } else if (child.stderr !== null) {
      forwardWorkerStderr(child.stderr, (text) => process.stderr.write(text));
    }
    return new ForkedWorker(child);
  }
}

class ForkedWorker implements WorkerProcess {
  private readonly child: ChildProcess;

  constructor(child: ChildProcess) {
    this.child = child;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    if (!this.child.connected) throw new LabError('unavailable', `Worker ${this.pid ?? '?'} is no longer running.`);
    this.child.send(message);
  }

  onMessage(listener: (message: FromWorker) => void): () => void {
    const handler = (raw: unknown): void => listener(parseWorkerMessage(raw));
    this.child.on('message', handler);
    return () => this.child.off('message', handler);
  }

  onExit(listener: (exit: WorkerExit) => void): () => void {
    const handler = (code: number | null, signal: NodeJS.Signals | null): void => listener({ code, signal });
    this.child.on('exit', handler);
    return () => this.child.off('exit', handler);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/**
 * What a worker that is not a Node child process (a Chromium page, an Electron window) does alike: its listeners,
 * every message checked by the protocol's schema and passed on until it exits, and one exit, heard once.
 */
export abstract class HostedWorker implements WorkerProcess {
  abstract readonly pid: number | undefined;
  private readonly messageListeners = new Set<(message: FromWorker) => void>();
  private readonly exitListeners = new Set<(exit: WorkerExit) => void>();
  /** How it ended, once it did. */
  protected exit: WorkerExit | null = null;

  abstract send(message: ToWorker): void;
  abstract kill(signal?: NodeJS.Signals): void;

  /** A message from the worker, as it arrived. */
  received(raw: unknown): void {
    this.emit(parseWorkerMessage(raw));
  }

  protected emit(message: FromWorker): void {
    if (this.exit !== null) return;
    for (const listener of this.messageListeners) listener(message);
  }

  exited(exit: WorkerExit): void {
    if (this.exit !== null) return;
    this.exit = exit;
    for (const listener of this.exitListeners) listener(exit);
  }

  onMessage(listener: (message: FromWorker) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  onExit(listener: (exit: WorkerExit) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }
}
