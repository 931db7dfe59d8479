/**
 * The run queue: queued runs start in claim order, at most `concurrency` at a time in this process, each with
 * `threads` compute threads (see capacity.ts), so concurrent runs do not oversubscribe the machine. Claims are
 * atomic in SQLite, so several lab processes can share one queue without starting a run twice.
 */
import type { ExperimentLog } from '../log/experiment-log.ts';
import type { RunCapacity } from './capacity.ts';
import type { RunEndStatus, RunSupervisor } from './supervisor.ts';

export class RunQueue {
  private readonly log: ExperimentLog;
  private readonly supervisor: RunSupervisor;
  private current: RunCapacity | null = null;
  /** Settles once the capacity is known (it may wait for a compute probe); no run starts before. */
  readonly ready: Promise<RunCapacity>;
  private readonly inFlight = new Set<Promise<RunEndStatus>>();
  private readonly idleWaiters: Array<() => void> = [];
  private stopped = false;
  /** Restricts this queue to one experiment's runs (the CLI runs only what it was asked to). */
  private readonly experimentFilter: number | undefined;

  constructor(options: { log: ExperimentLog; supervisor: RunSupervisor; capacity: RunCapacity | Promise<RunCapacity>; experimentId?: number }) {
    this.log = options.log;
    this.supervisor = options.supervisor;
    this.experimentFilter = options.experimentId;
    this.ready = Promise.resolve(options.capacity).then((capacity) => {
      // A capacity set meanwhile (an experiment created with its own concurrency) wins over the default.
      this.current ??= capacity;
      this.pump();
      return this.current;
    });
  }

  /** How many runs at once and threads each; null until the capacity is known. */
  get capacity(): RunCapacity | null {
    return this.current;
  }

  set capacity(value: RunCapacity) {
    this.current = value;
    this.pump();
  }

  /** Starts queued runs while there is room. Call after anything is queued. */
  pump(): void {
    const capacity = this.current;
    if (capacity === null) return;
    while (!this.stopped && this.inFlight.size < capacity.concurrency) {
      const run = this.log.claimNext(process.pid, this.experimentFilter);
      if (run === null) break;
      const datasetId = this.log.experiment(run.experiment_id).dataset_id;
      const done: Promise<RunEndStatus> = this.supervisor.execute(run, datasetId, { threads: capacity.threads }).finally(() => {
        this.inFlight.delete(done);
        this.pump();
        if (this.inFlight.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
      });
      this.inFlight.add(done);
    }
    if (this.inFlight.size === 0) this.idleWaiters.splice(0).forEach((resolve) => resolve());
  }

  /** Resolves when the capacity is known, nothing is running and nothing claimable is queued. */
  async idle(): Promise<void> {
    await this.ready;
    if (this.inFlight.size === 0) return;
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops taking new runs (running ones go on until stopped). */
  close(): void {
    this.stopped = true;
  }
}
