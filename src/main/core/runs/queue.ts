/**
 * The run queue: queued runs start in claim order, at most `concurrency` at a time in this process. Claims are
 * atomic in SQLite, so several lab processes can share one queue without starting a run twice.
 */
import type { ExperimentLog } from '../log/experiment-log.ts';
import type { RunEndStatus, RunSupervisor } from './supervisor.ts';

export class RunQueue {
  private readonly log: ExperimentLog;
  private readonly supervisor: RunSupervisor;
  private concurrencyLimit: number;
  private readonly inFlight = new Set<Promise<RunEndStatus>>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Restricts this queue to one experiment's runs (the CLI runs only what it was asked to). */
  private readonly experimentFilter: number | undefined;

  constructor(options: { log: ExperimentLog; supervisor: RunSupervisor; concurrency?: number; experimentId?: number }) {
    this.log = options.log;
    this.supervisor = options.supervisor;
    this.concurrencyLimit = Math.max(1, options.concurrency ?? 1);
    this.experimentFilter = options.experimentId;
  }

  get concurrency(): number {
    return this.concurrencyLimit;
  }

  set concurrency(value: number) {
    this.concurrencyLimit = Math.max(1, Math.floor(value));
    this.pump();
  }

  /** Starts queued runs while there is room. Call after anything is queued. */
  pump(): void {
    while (!this.stopped && this.inFlight.size < this.concurrencyLimit) {
      const run = this.log.claimNext(process.pid, this.experimentFilter);
      if (run === null) break;
      const datasetId = this.log.experiment(run.experiment_id).dataset_id;
      const done: Promise<RunEndStatus> = this.supervisor.execute(run, datasetId).finally(() => {
        this.inFlight.delete(done);
        this.pump();
        if (this.inFlight.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
      });
      this.inFlight.add(done);
    }
    if (this.inFlight.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves when nothing is running and nothing claimable is queued. */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking new runs (running ones go on until stopped). */
  close(): void {
    this.stopped = true;
  }
}
