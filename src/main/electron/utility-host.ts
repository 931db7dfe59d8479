/**
 * Worker processes under Electron: utilityProcess, which runs Node inside the app without a second Node
 * install. Same WorkerProcess interface as the fork host.
 */
import { utilityProcess, type UtilityProcess } from 'electron';
import { LabError } from '../../shared/errors.ts';
import type { FromWorker, ToWorker } from '../../worker/index.ts';
import { parseWorkerMessage, type WorkerExit, type WorkerHost, type WorkerProcess, type WorkerStartOptions } from '../core/index.ts';

export class UtilityWorkerHost implements WorkerHost {
  readonly kind = 'utility' as const;
  private readonly entry: string;

  constructor(entry: string) {
    this.entry = entry;
  }

  start(options: WorkerStartOptions): WorkerProcess {
    const child = utilityProcess.fork(this.entry, [`--pdash-worker=${options.name}`], {
      serviceName: `P-DASH worker (${options.name})`,
      env: { ...process.env, ...options.env },
      stdio: 'inherit',
    });
    return new UtilityWorker(child);
  }
}

class UtilityWorker implements WorkerProcess {
  private readonly child: UtilityProcess;
  private exited = false;

  constructor(child: UtilityProcess) {
    this.child = child;
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToWorker): void {
    if (this.exited) throw new LabError('unavailable', `Worker ${this.pid ?? '?'} is no longer running.`);
    this.child.postMessage(message);
  }

  onMessage(listener: (message: FromWorker) => void): () => void {
    const handler = (raw: unknown): void => listener(parseWorkerMessage(raw));
    this.child.on('message', handler);
    return () => this.child.off('message', handler);
  }

  onExit(listener: (exit: WorkerExit) => void): () => void {
    const handler = (code: number): void => listener({ code, signal: null });
    this.child.on('exit', handler);
    return () => this.child.off('exit', handler);
  }

  kill(): void {
    if (!this.exited) this.child.kill();
  }
}
