/**
 * The experiment log: experiments, their runs, and everything a run reports (phases, epochs, alpha snapshots,
 * P-DASH rounds, HP trials, the chosen architecture, checkpoints, the result). Writes go in transactions;
 * event writes are idempotent (keyed by run, phase, round, trial, epoch), so that a run resumed from a
 * checkpoint re-reports the epochs after it without duplicating a row.
 *
 * A run's work per phase (steps, wall time, FLOPs in run_phases) sums all its attempts. The engine reports a
 * phase's totals only at its end (for the work done in that process), so an attempt stopped mid-phase (cancel,
 * pause, crash) would leave its work unrecorded and a resumed run would look as cheap as its last attempt: each
 * epoch's steps and time are therefore added as the epoch arrives, and the phase's end replaces them with the
 * attempt's totals, so no attempt's work is counted twice. Work redone after a resume (an epoch after the last
 * checkpoint) was computed twice and counts twice.
 */
import type { EngineEvent, RunConfig } from '../../../shared/engine/index.ts';
import { Phase, type Method, type RunStatus } from '../../../shared/contract/index.ts';
import { LabError, type SerializedLabError } from '../../../shared/errors.ts';
import type { LabDatabase } from './database.ts';


export interface NewExperiment {
  name: string;
  datasetId: number;
  methods: Method[];
  seeds: number[];
  preset: string;
  /** The request as given, kept for the record and for re-running. */
  settings: unknown;
  /** The configuration resolved once for the experiment, stored with each of its runs (see stored-config.ts). */
  config: RunConfig;
}

export interface RunRow {
  id: number;
  experiment_id: number;
  method: Method;
  seed: number;
  status: RunStatus;
  resume: number;
  stop_request: 'cancel' | 'pause' | null;
  config: string;
  config_hash: string | null;
  backend: string | null;
  threads: number | null;
  /** Worker CPU time and the worker wall it was measured over, summed over attempts (migration 4). */
  cpu_ms: number | null;
  cpu_wall_ms: number | null;
  owner_pid: number | null;
  worker_pid: number | null;
  attempts: number;
  phase: string | null;
  progress: number;
  checkpoint: string | null;
  metric_name: string | null;
  metric_direction: string | null;
  metric_value: number | null;
  validation_value: number | null;
  error: string | null;
  notes: string;
  tags: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ExperimentRow {
  id: number;
  name: string;
  dataset_id: number;
  methods: string;
  seeds: string;
  preset: string;
  settings: string;
  notes: string;
  tags: string;
  created_at: string;
}

/** Where a run's last checkpoint is, as the supervisor recorded it. */
export interface CheckpointRecord {
  path: string;
  phase: string;
  round: number | null;
  trial: number | null;
  epoch: number;
  bytes: number;
}

const PHASE_ORDER: readonly string[] = Phase.options;

/** Statuses from which a run may be started again, continuing from its last checkpoint if it has one. */
export const RESUMABLE: readonly RunStatus[] = ['paused', 'interrupted', 'cancelled', 'failed'];

/** What one attempt has already added to a phase's row from its epochs (and random candidates) before the phase ends. */
interface AttemptWork {
  steps: number;
  wallMs: number;
  flops: number;
}

export class ExperimentLog {
  private readonly db: LabDatabase;
  /** Per run, per `phase/round`: the running attempt's work already in run_phases (this process supervises it). */
  private readonly attemptWork = new Map<number, Map<string, AttemptWork>>();

  constructor(db: LabDatabase) {
    this.db = db;
  }

  createExperiment(spec: NewExperiment): { experimentId: number; runIds: number[] } {
    if (spec.methods.length === 0 || spec.seeds.length === 0) throw new LabError('bad-request', 'An experiment needs at least one method and one seed.');
    return this.db.transaction(() => {
      const experimentId = Number(
        this.db
          .prepare('INSERT INTO experiments (name, dataset_id, methods, seeds, preset, settings) VALUES (?, ?, ?, ?, ?, ?)')
          .run(spec.name, spec.datasetId, JSON.stringify(spec.methods), JSON.stringify(spec.seeds), spec.preset, JSON.stringify(spec.settings)).lastInsertRowid,
      );
      const insert = this.db.prepare("INSERT INTO runs (experiment_id, method, seed, status, config) VALUES (?, ?, ?, 'queued', ?)");
      const config = JSON.stringify(spec.config);
      const runIds: number[] = [];
      // Seed-major order, so that the first results to arrive already compare the methods on one seed.
      for (const seed of spec.seeds) {
        for (const method of spec.methods) {
          runIds.push(Number(insert.run(experimentId, method, seed, config).lastInsertRowid));
        }
      }
      return { experimentId, runIds };
    })();
  }

  experiment(id: number): ExperimentRow {
    const row = this.db.prepare('SELECT * FROM experiments WHERE id = ?').get(id) as ExperimentRow | undefined;
    if (row === undefined) throw new LabError('not-found', `No experiment ${id} in this lab.`, 'List them with `pdash experiments list`.');
    return row;
  }

  experiments(offset: number, limit: number): { rows: ExperimentRow[]; total: number } {
    return {
      rows: this.db.prepare('SELECT * FROM experiments ORDER BY id DESC LIMIT ? OFFSET ?').all(limit, offset) as ExperimentRow[],
      total: this.db.prepare('SELECT count(*) FROM experiments').pluck().get() as number,
    };
  }

  /** Deletes an experiment; its runs and everything they reported go with it (ON DELETE CASCADE). */
  removeExperiment(id: number): void {
    this.db.prepare('DELETE FROM experiments WHERE id = ?').run(id);
  }

  run(id: number): RunRow {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
    if (row === undefined) throw new LabError('not-found', `No run ${id} in this lab.`, 'See the runs of an experiment with `pdash experiments show ID`.');
    return row;
  }

  runsOf(experimentId: number): RunRow[] {
    return this.db.prepare('SELECT * FROM runs WHERE experiment_id = ? ORDER BY id').all(experimentId) as RunRow[];
  }

  runsByIds(ids: readonly number[]): RunRow[] {
    return ids.map((id) => this.run(id));
  }

  /**
   * Takes the oldest queued run (of one experiment, or any) for this process; atomic across processes, so two
   * lab processes never start the same run.
   */
  claimNext(ownerPid: number, experimentId?: number): RunRow | null {
    return this.db.transaction(() => {
      const candidate = (experimentId === undefined
        ? this.db.prepare("SELECT id FROM runs WHERE status = 'queued' ORDER BY id LIMIT 1").pluck().get()
        : this.db.prepare("SELECT id FROM runs WHERE status = 'queued' AND experiment_id = ? ORDER BY id LIMIT 1").pluck().get(experimentId)) as number | undefined;
      if (candidate === undefined) return null;
      this.db
        .prepare("UPDATE runs SET status = 'running', owner_pid = ?, attempts = attempts + 1, started_at = coalesce(started_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), error = NULL WHERE id = ? AND status = 'queued'")
        .run(ownerPid, candidate);
      return this.run(candidate);
    }).immediate();
  }

  setWorker(runId: number, workerPid: number | null): void {
    this.db.prepare('UPDATE runs SET worker_pid = ? WHERE id = ?').run(workerPid, runId);
  }

  setBackend(runId: number, backend: string, threads: number): void {
    this.db.prepare('UPDATE runs SET backend = ?, threads = ? WHERE id = ?').run(backend, threads, runId);
  }

  /** The run's recorded CPU time and wall so far (0 before its first report). */
  usage(runId: number): { cpuMs: number; wallMs: number } {
    const row = this.run(runId);
    return { cpuMs: row.cpu_ms ?? 0, wallMs: row.cpu_wall_ms ?? 0 };
  }

  setUsage(runId: number, usage: { cpuMs: number; wallMs: number }): void {
    this.db.prepare('UPDATE runs SET cpu_ms = ?, cpu_wall_ms = ? WHERE id = ?').run(usage.cpuMs, usage.wallMs, runId);
  }

  setCheckpoint(runId: number, checkpoint: CheckpointRecord, relativePath: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE runs SET checkpoint = ? WHERE id = ?').run(JSON.stringify(checkpoint), runId);
      this.db
        .prepare("INSERT INTO artifacts (run_id, kind, path, bytes) VALUES (?, 'checkpoint', ?, ?) ON CONFLICT (run_id, kind, path) DO UPDATE SET bytes = excluded.bytes, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
        .run(runId, relativePath, checkpoint.bytes);
    })();
  }

  addArtifact(runId: number, kind: 'weights' | 'architecture' | 'report', relativePath: string, bytes: number): void {
    this.db
      .prepare('INSERT INTO artifacts (run_id, kind, path, bytes) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, kind, path) DO UPDATE SET bytes = excluded.bytes')
      .run(runId, kind, relativePath, bytes);
  }

  /** Writes what one engine event reports, in one transaction. */
  record(runId: number, event: EngineEvent): void {
    this.db.transaction(() => this.apply(runId, event))();
  }

  /** Writes several events in one transaction (the supervisor batches what arrives between flushes). */
  recordAll(runId: number, events: readonly EngineEvent[]): void {
    if (events.length === 0) return;
    this.db.transaction(() => {
      for (const event of events) this.apply(runId, event);
    })();
  }

  private apply(runId: number, event: EngineEvent): void {
    const db = this.db;
    switch (event.type) {
      case 'run-start':
        db.prepare('UPDATE runs SET config_hash = ? WHERE id = ?').run(event.configHash, runId);
        return;
      case 'phase-start':
        db.prepare('UPDATE runs SET phase = ?, progress = max(progress, ?) WHERE id = ?').run(event.phase, phaseProgress(event.phase, 0), runId);
        db.prepare('INSERT INTO run_phases (run_id, phase, round) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(runId, event.phase, event.round ?? 0);
        // A phase starts (or resumes) in this attempt: nothing of this attempt is in its row yet.
        this.attemptWorkOf(runId).set(phaseKey(event.phase, event.round), { steps: 0, wallMs: 0, flops: 0 });
        return;
      case 'phase-end':
        this.endPhase(runId, event);
        db.prepare('UPDATE runs SET progress = max(progress, ?) WHERE id = ?').run(phaseProgress(event.phase, 1), runId);
        return;
      case 'epoch':
        db.prepare(
          `INSERT INTO run_epochs (run_id, phase, round, trial, epoch, steps, lr, train_loss, val_name, val_value, wall_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, phase, round, trial, epoch) DO UPDATE SET steps = excluded.steps, lr = excluded.lr,
             train_loss = excluded.train_loss, val_name = excluded.val_name, val_value = excluded.val_value, wall_ms = excluded.wall_ms`,
        ).run(runId, event.phase, event.round ?? 0, event.trial ?? -1, event.epoch, event.steps, event.lr, finiteOrNull(event.trainLoss), event.validation?.name ?? null, finiteOrNull(event.validation?.value), event.wallMs);
        db.prepare('UPDATE runs SET progress = max(progress, ?) WHERE id = ?').run(phaseProgress(event.phase, (event.epoch + 1) / Math.max(1, event.epochs)), runId);
        this.addAttemptWork(runId, event.phase, event.round, { steps: event.steps, wallMs: event.wallMs, flops: 0 });
        return;
      case 'alpha':
        db.prepare('INSERT INTO alpha_snapshots (run_id, round, epoch, layers) VALUES (?, ?, ?, ?) ON CONFLICT (run_id, round, epoch) DO UPDATE SET layers = excluded.layers').run(runId, event.round ?? 0, event.epoch, JSON.stringify(event.layers));
        return;
      case 'architecture':
        db.prepare(
          'INSERT INTO architectures (run_id, arch_id, spec, selection, parameters, flops) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET arch_id = excluded.arch_id, spec = excluded.spec, selection = excluded.selection, parameters = excluded.parameters, flops = excluded.flops',
        ).run(runId, event.archId, JSON.stringify(event.spec), event.selection, event.parameters, event.flops);
        return;
      case 'hp-trial':
        db.prepare('INSERT INTO hp_trials (run_id, trial, hp, val_value, diverged, wall_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, trial) DO UPDATE SET hp = excluded.hp, val_value = excluded.val_value, diverged = excluded.diverged, wall_ms = excluded.wall_ms').run(
          runId,
          event.trial,
          JSON.stringify(event.hp),
          finiteOrNull(event.validation?.value),
          event.diverged ? 1 : 0,
          event.wallMs,
        );
        return;
      case 'result':
        db.prepare('UPDATE runs SET metric_name = ?, metric_direction = ?, metric_value = ?, validation_value = ?, progress = 1 WHERE id = ?').run(event.metric.name, event.metric.direction, finiteOrNull(event.metric.value), finiteOrNull(event.validation?.value), runId);
        return;
      case 'round':
        db.prepare('INSERT INTO pdash_rounds (run_id, round, rounds, selection, layers) VALUES (?, ?, ?, ?, ?) ON CONFLICT (run_id, round) DO UPDATE SET rounds = excluded.rounds, selection = excluded.selection, layers = excluded.layers').run(
          runId,
          event.round ?? 0,
          event.rounds,
          event.selection,
          JSON.stringify(event.layers),
        );
        return;
      case 'random-candidate':
        db.prepare('INSERT INTO random_candidates (run_id, candidate, layers, val_value, diverged, flops, wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, candidate) DO UPDATE SET layers = excluded.layers, val_value = excluded.val_value, diverged = excluded.diverged, flops = excluded.flops, wall_ms = excluded.wall_ms').run(
          runId,
          event.candidate,
          JSON.stringify(event.layers),
          finiteOrNull(event.validation?.value),
          event.diverged ? 1 : 0,
          event.flops,
          event.wallMs,
        );
        // A random candidate's FLOPs are known when it is done (its epochs' steps and time came with them).
        this.addAttemptWork(runId, 'search', null, { steps: 0, wallMs: 0, flops: finiteOrNull(event.flops) ?? 0 });
        return;
      case 'hp-chosen':
      case 'checkpoint':
        // hp-chosen is derivable from hp_trials; checkpoints are recorded by the supervisor, which knows the path.
        return;
    }
  }

  private attemptWorkOf(runId: number): Map<string, AttemptWork> {
    let work = this.attemptWork.get(runId);
    if (work === undefined) {
      work = new Map();
      this.attemptWork.set(runId, work);
    }
    return work;
  }

  /** Adds an epoch's (or a random candidate's) work to its phase's row as it arrives, and notes it for the attempt. */
  private addAttemptWork(runId: number, phase: string, round: number | null, work: AttemptWork): void {
    const key = phaseKey(phase, round);
    const attempt = this.attemptWorkOf(runId);
    const sofar = attempt.get(key) ?? { steps: 0, wallMs: 0, flops: 0 };
    attempt.set(key, { steps: sofar.steps + work.steps, wallMs: sofar.wallMs + work.wallMs, flops: sofar.flops + work.flops });
    this.db
      .prepare('INSERT INTO run_phases (run_id, phase, round, steps, wall_ms, flops) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, phase, round) DO UPDATE SET steps = steps + excluded.steps, wall_ms = wall_ms + excluded.wall_ms, flops = flops + excluded.flops')
      .run(runId, phase, round ?? 0, work.steps, work.wallMs, work.flops);
  }

  /**
   * A phase's end reports this attempt's totals for it, which replace what its epochs added as they came (so an
   * uninterrupted phase is exactly what its end reported). Earlier attempts stopped mid-phase left
   * steps without FLOPs (the engine counts FLOPs per phase): they are priced at this attempt's FLOPs per step,
   * exact where every step costs the same (one supernet, one batch size), an estimate otherwise. Random candidates
   * report their own FLOPs, so their earlier attempts are priced already.
   */
  private endPhase(runId: number, event: Extract<EngineEvent, { type: 'phase-end' }>): void {
    const key = phaseKey(event.phase, event.round);
    const attempt = this.attemptWorkOf(runId);
    const added = attempt.get(key) ?? { steps: 0, wallMs: 0, flops: 0 };
    attempt.delete(key);
    const round = event.round ?? 0;
    const flops = finiteOrNull(event.flops) ?? 0;
    const row = (this.db.prepare('SELECT steps, wall_ms, flops FROM run_phases WHERE run_id = ? AND phase = ? AND round = ?').get(runId, event.phase, round) as { steps: number; wall_ms: number; flops: number } | undefined) ?? { steps: 0, wall_ms: 0, flops: 0 };
    const earlierSteps = Math.max(0, row.steps - added.steps);
    const earlierFlops = Math.max(0, row.flops - added.flops);
    const earlierPriced = earlierFlops > 0 || earlierSteps === 0 || event.steps === 0 ? earlierFlops : earlierSteps * (flops / event.steps);
    this.db
      .prepare('INSERT INTO run_phases (run_id, phase, round, steps, wall_ms, flops) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, phase, round) DO UPDATE SET steps = excluded.steps, wall_ms = excluded.wall_ms, flops = excluded.flops')
      .run(runId, event.phase, round, earlierSteps + event.steps, Math.max(0, row.wall_ms - added.wallMs) + event.wallMs, earlierPriced + flops);
  }

  /** Ends a run: done, failed (with its error), cancelled, paused or interrupted. */
  finish(runId: number, status: Exclude<RunStatus, 'queued' | 'running'>, error?: SerializedLabError): void {
    // The attempt is over; whatever it did mid-phase is in run_phases already.
    this.attemptWork.delete(runId);
    this.db
      .prepare("UPDATE runs SET status = ?, error = ?, worker_pid = NULL, owner_pid = NULL, resume = 0, stop_request = NULL, finished_at = CASE WHEN ? = 'done' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE finished_at END WHERE id = ?")
      .run(status, error ? JSON.stringify(error) : null, status, runId);
  }

  /** Puts a stopped run back in the queue, to continue from its last checkpoint. */
  requeue(runId: number): RunRow {
    const run = this.run(runId);
    if (!RESUMABLE.includes(run.status)) {
      throw new LabError('conflict', `Run ${runId} is ${run.status}; only a paused, interrupted, cancelled or failed run can be resumed.`);
    }
    this.db.prepare("UPDATE runs SET status = 'queued', resume = 1, error = NULL WHERE id = ?").run(runId);
    return this.run(runId);
  }

  /** Asks whichever lab process owns a running run to stop it (it polls for requests). */
  requestStop(runId: number, mode: 'cancel' | 'pause'): void {
    this.db.prepare("UPDATE runs SET stop_request = ? WHERE id = ? AND status = 'running'").run(mode, runId);
  }

  /** Stop requests for some running runs. */
  stopRequests(runIds: readonly number[]): Array<{ id: number; mode: 'cancel' | 'pause' }> {
    if (runIds.length === 0) return [];
    return this.db
      .prepare(`SELECT id, stop_request AS mode FROM runs WHERE stop_request IS NOT NULL AND id IN (${runIds.map(() => '?').join(', ')})`)
      .all(...runIds) as Array<{ id: number; mode: 'cancel' | 'pause' }>;
  }

  /** A queued run that has not started is cancelled here; a running one is stopped by its supervisor. */
  cancelQueued(runId: number): boolean {
    return this.db.prepare("UPDATE runs SET status = 'cancelled' WHERE id = ? AND status = 'queued'").run(runId).changes === 1;
  }

  /**
   * Runs left 'running' by a lab process that is no longer alive become 'interrupted' (resumable). Runs owned
   * by a live process (another lab window or CLI) are left alone.
   */
  markOrphansInterrupted(isAlive: (pid: number) => boolean, onlyOwner?: number): number[] {
    const orphans = (this.db.prepare("SELECT id, owner_pid FROM runs WHERE status = 'running'").all() as Array<{ id: number; owner_pid: number | null }>).filter(
      (r) => (onlyOwner === undefined || r.owner_pid === onlyOwner) && (r.owner_pid === null || !isAlive(r.owner_pid)),
    );
    const mark = this.db.prepare("UPDATE runs SET status = 'interrupted', worker_pid = NULL, owner_pid = NULL WHERE id = ? AND status = 'running'");
    this.db.transaction(() => orphans.forEach((r) => mark.run(r.id)))();
    return orphans.map((r) => r.id);
  }

  epochs(runId: number, offset = 0, limit = 10_000): Array<{ phase: string; round: number; trial: number; epoch: number; steps: number; lr: number; train_loss: number | null; val_name: string | null; val_value: number | null; wall_ms: number }> {
    return this.db.prepare('SELECT phase, round, trial, epoch, steps, lr, train_loss, val_name, val_value, wall_ms FROM run_epochs WHERE run_id = ? ORDER BY rowid LIMIT ? OFFSET ?').all(runId, limit, offset) as never;
  }

  phases(runId: number): Array<{ phase: string; round: number; steps: number; wall_ms: number; flops: number }> {
    return (this.db.prepare('SELECT phase, round, steps, wall_ms, flops FROM run_phases WHERE run_id = ?').all(runId) as Array<{ phase: string; round: number; steps: number; wall_ms: number; flops: number }>).sort(
      (a, b) => a.round - b.round || PHASE_ORDER.indexOf(a.phase) - PHASE_ORDER.indexOf(b.phase),
    );
  }

  architecture(runId: number): { arch_id: string; spec: string; selection: string; parameters: number; flops: number } | null {
    return (this.db.prepare('SELECT arch_id, spec, selection, parameters, flops FROM architectures WHERE run_id = ?').get(runId) as never) ?? null;
  }

  /** The run's newest alpha snapshot (last round, last epoch), or undefined when it has none. */
  lastAlphaSnapshot(runId: number): { round: number; epoch: number; layers: string } | undefined {
    return this.db.prepare('SELECT round, epoch, layers FROM alpha_snapshots WHERE run_id = ? ORDER BY round DESC, epoch DESC LIMIT 1').get(runId) as never;
  }

  alphaSnapshots(runId: number): Array<{ round: number; epoch: number; layers: string }> {
    return this.db.prepare('SELECT round, epoch, layers FROM alpha_snapshots WHERE run_id = ? ORDER BY round, epoch').all(runId) as never;
  }

  rounds(runId: number): Array<{ round: number; rounds: number; selection: string; layers: string }> {
    return this.db.prepare('SELECT round, rounds, selection, layers FROM pdash_rounds WHERE run_id = ? ORDER BY round').all(runId) as never;
  }

  randomCandidates(runId: number): Array<{ candidate: number; layers: string; val_value: number | null; diverged: number; flops: number; wall_ms: number }> {
    return this.db.prepare('SELECT candidate, layers, val_value, diverged, flops, wall_ms FROM random_candidates WHERE run_id = ? ORDER BY candidate').all(runId) as never;
  }

  hpTrials(runId: number): Array<{ trial: number; hp: string; val_value: number | null; diverged: number; wall_ms: number }> {
    return this.db.prepare('SELECT trial, hp, val_value, diverged, wall_ms FROM hp_trials WHERE run_id = ? ORDER BY trial').all(runId) as never;
  }
}

function phaseKey(phase: string, round: number | null): string {
  return `${phase}/${round ?? 0}`;
}

function finiteOrNull(value: number | undefined | null): number | null {
  return value === undefined || value === null || !Number.isFinite(value) ? null : value;
}

/** Rough share of a run's work done by a phase boundary: search is most of DASH's cost, then retraining. */
function phaseProgress(phase: string, within: number): number {
  const spans: Record<string, [number, number]> = { search: [0, 0.35], select: [0.35, 0.37], 'hp-search': [0.37, 0.6], retrain: [0.6, 0.98], test: [0.98, 1] };
  const [from, to] = spans[phase] ?? [0, 0];
  return from + (to - from) * Math.min(1, Math.max(0, within));
}
