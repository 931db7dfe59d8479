/**
 * Experiments and their runs, for every front door: creates experiments (methods x seeds), queues and
 * supervises their runs in worker processes, stops and resumes them, and answers questions about them.
 */
import { ExperimentRequest as ExperimentRequestSchema, type Comparison, type ExperimentRequest, type ExperimentSummary, type Method, type RunDetail, type RunSummary } from '../../../shared/contract/index.ts';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LabError } from '../../../shared/errors.ts';
import { defaultSearchSpace, planRoundSizes, resolveConfig, type BackendName, type RunConfig, type RunConfigOverrides, type EngineEvent } from '../../../shared/engine/index.ts';
import { compareRuns } from '../compare/compare.ts';
import type { DatasetRegistry } from '../datasets/registry.ts';
import type { LabEvents } from '../events.ts';
import type { LabPaths } from '../lab-folder.ts';
import type { ExperimentLog, ExperimentRow, RunRow } from '../log/experiment-log.ts';
import { storedRunConfig } from '../log/stored-config.ts';
import { CHECKPOINT_FILE, readCheckpointFile, sweepAllCheckpointTemporaries, type ComputeProbe } from '../../../worker/index.ts';
import { machineResources, runCapacity, type MachineResources, type RunCapacity } from './capacity.ts';
import { RunQueue } from './queue.ts';
import { RunSupervisor } from './supervisor.ts';
import type { WorkerHost } from './worker-host.ts';

/** Methods this engine build can run. */

export interface RunServiceOptions {
  log: ExperimentLog;
  datasets: DatasetRegistry;
  host: WorkerHost;
  paths: LabPaths;
  events: LabEvents;
  /** Which backends a worker can start (LabCore.compute: probed once); the default concurrency depends on it. */
  compute: () => Promise<ComputeProbe>;
  /** This machine's cores and free memory; tests pass their own. */
  machine?: () => MachineResources;
  /** The host for backends `host` cannot start (webgpu: a Chromium page); see RunSupervisor. */
  hostFor?: (backend: BackendName) => WorkerHost | null;
}

export class RunService {
  private readonly options: RunServiceOptions;
  readonly supervisor: RunSupervisor;
  private queue: RunQueue | null = null;
  private closed = false;

  constructor(options: RunServiceOptions) {
    this.options = options;
    const { log, host, paths, datasets, events } = options;
    // The lab is opening: temporaries of workers killed mid-write are swept (never those of a live writer).
    sweepAllCheckpointTemporaries(paths.runs);
    this.supervisor = new RunSupervisor({
      log,
      host,
      ...(options.hostFor ? { hostFor: options.hostFor } : {}),
      // 'auto': the fastest backend the probe measured (probed once per lab core, shared with the queue's capacity).
      defaultBackend: async () => (await options.compute()).preferred,
      paths,
      dataset: (id) => datasets.get(id),
      listener: {
        status: (runId, status, error) => events.emit('runs/status', { runId, experimentId: log.run(runId).experiment_id, status, error: error ?? null }),
        progress: (runId, update) => events.emit('runs/progress', { runId, phase: update.phase, progress: update.progress, epoch: update.event.type === 'epoch' ? epochPoint(update.event) : null }),
        checkpoint: (runId, c) => events.emit('runs/checkpoint', { runId, phase: c.phase, round: c.round, trial: c.trial, epoch: c.epoch, bytes: c.bytes }),
        event: (runId, event) => {
          if (event.type === 'alpha') events.emit('runs/alpha', { runId, round: event.round ?? 0, epoch: event.epoch, layers: event.layers });
          else if (event.type === 'round') events.emit('runs/round', { runId, round: event.round ?? 0, rounds: event.rounds, selection: event.selection, layers: event.layers });
        },
      },
    });
  }

  /**
   * Starts supervising queued runs in this process (web mode and the app do; the CLI only for its experiment):
   * `concurrency` runs at a time if given, else as many as the machine takes (capacity.ts); `queue.ready`
   * says how many and with how many threads each.
   */
  startQueue(options: { concurrency?: number; experimentId?: number } = {}): RunQueue {
    this.queue?.close();
    this.queue = new RunQueue({
      log: this.options.log,
      supervisor: this.supervisor,
      capacity: this.capacity(options.concurrency),
      ...(options.experimentId !== undefined ? { experimentId: options.experimentId } : {}),
    });
    this.queue.pump();
    return this.queue;
  }

  /** Runs at once and threads each: `requested` of them, or what this machine takes on the backend a worker starts. */
  capacity(requested: number): RunCapacity;
  capacity(requested?: number): RunCapacity | Promise<RunCapacity>;
  capacity(requested?: number): RunCapacity | Promise<RunCapacity> {
    const machine = (this.options.machine ?? machineResources)();
    if (requested !== undefined) return runCapacity(machine, null, { requested });
    return this.options
      .compute()
      .then((probe) => runCapacity(machine, probe.preferred))
      .catch((error: unknown) => {
        // Without the probe the backend is unknown (a worker that cannot start fails its run and says why); one run
        // at a time with every core never oversubscribes. A lab that closed meanwhile starts nothing: no word.
        if (!this.closed) process.stderr.write(`P-DASH Lab: the compute probe failed (${error instanceof Error ? error.message : String(error)}); running one run at a time.\n`);
        return runCapacity(machine, null, { requested: 1 });
      });
  }

  /** The lab is closing: take no more runs, and stop the running ones (they are left interrupted, resumable). */
  close(): void {
    this.closed = true;
    this.queue?.close();
    this.queue = null;
    this.supervisor.killAll();
  }

  create(request: ExperimentRequest): ExperimentSummary {
    const parsed = ExperimentRequestSchema.parse(request);
    const dataset = this.options.datasets.get(parsed.dataset);
    if (dataset.kind === 'regression') {
      throw new LabError('bad-request', `Dataset '${dataset.name}' is a regression task with vector targets; the search backbones handle classification and dense prediction.`, 'Choose a classification or dense dataset.');
    }
    const overrides = structuredClone(parsed.overrides) as RunConfigOverrides & { search?: Record<string, unknown>; pdash?: Record<string, unknown> };
    overrides.selection = parsed.selection;
    if (parsed.pdash) overrides.pdash = { ...(overrides.pdash ?? {}), ...parsed.pdash };
    if (parsed.kernels || parsed.dilations) {
      const rankDefault = defaultSearchSpace(dataset.rank);
      overrides.search = { ...(overrides.search ?? {}), grid: { kernels: parsed.kernels ?? rankDefault.kernels, dilations: parsed.dilations ?? rankDefault.dilations } };
    }
    // The one place a run's configuration is resolved: it is stored with every run below, and the worker, the
    // monitor, compare and the reports read it from there (log/stored-config.ts).
    let resolved: RunConfig;
    try {
      resolved = resolveConfig(parsed.preset, overrides);
    } catch (error) {
      throw new LabError('bad-request', error instanceof Error ? error.message : String(error), 'Fix the custom budget (overrides) and try again.');
    }
    // A P-DASH schedule starts at the number of patterns per layer, which depends on the dataset's rank.
    const grid = resolved.search.grid ?? defaultSearchSpace(dataset.rank);
    const patterns = grid.kernels.length * grid.dilations.length;
    const rounds = planRoundSizes(patterns, resolved.pdash, grid);
    if (parsed.methods.includes('pdash') && !rounds.ok) {
      throw new LabError('bad-request', rounds.error, 'Change the P-DASH rounds or schedule, or the search space (--kernels/--dilations).');
    }
    const name = parsed.name ?? `${parsed.methods.join(' vs ')} on ${dataset.name}`;
    const { experimentId } = this.options.log.createExperiment({
      name,
      datasetId: dataset.id,
      methods: parsed.methods,
      seeds: parsed.seeds,
      preset: parsed.preset,
      settings: { ...parsed, dataset: dataset.id },
      config: resolved,
    });
    if (parsed.concurrency !== undefined && this.queue) this.queue.capacity = this.capacity(parsed.concurrency);
    this.queue?.pump();
    return this.experiment(experimentId);
  }

  experiment(id: number): ExperimentSummary {
    return this.summarizeExperiment(this.options.log.experiment(id));
  }

  experiments(offset: number, limit: number): { items: ExperimentSummary[]; total: number } {
    const { rows, total } = this.options.log.experiments(offset, limit);
    return { items: rows.map((r) => this.summarizeExperiment(r)), total };
  }

  async removeExperiment(id: number): Promise<ExperimentSummary> {
    const summary = this.experiment(id);
    const active = summary.runs.filter((r) => r.status === 'running');
    if (active.length > 0) {
      throw new LabError('conflict', `Experiment ${id} has running run${active.length > 1 ? 's' : ''} ${active.map((r) => r.id).join(', ')}.`, 'Cancel them first (pdash cancel RUN), then remove the experiment.');
    }
    this.options.log.removeExperiment(id);
    for (const run of summary.runs) await rm(join(this.options.paths.runs, String(run.id)), { recursive: true, force: true });
    return summary;
  }

  /**
   * The configuration the experiment's runs were created with, as stored (every run of an experiment shares it);
   * null for an older lab's experiment whose preset and overrides this lab cannot resolve.
   */
  experimentConfig(id: number): RunConfig | null {
    const first = this.options.log.runsOf(this.options.log.experiment(id).id)[0];
    if (first === undefined) return null;
    const stored = storedRunConfig(first.config);
    return stored.ok ? stored.value : null;
  }

  run(id: number): RunSummary {
    return this.summarizeRun(this.options.log.run(id));
  }

  runDetail(id: number): RunDetail {
    const { log } = this.options;
    const row = log.run(id);
    const arch = log.architecture(id);
    return {
      ...this.summarizeRun(row),
      config: readableConfig(row.config),
      epochs: log.epochs(id).map((e) => ({ phase: e.phase, round: e.round, trial: e.trial, epoch: e.epoch, steps: e.steps, lr: e.lr, trainLoss: e.train_loss, validation: e.val_value, wallMs: e.wall_ms })),
      alpha: log.alphaSnapshots(id).map((a) => ({ round: a.round, epoch: a.epoch, layers: JSON.parse(a.layers) as RunDetail['alpha'][number]['layers'] })),
      rounds: log.rounds(id).map((r) => ({ round: r.round, rounds: r.rounds, selection: r.selection, layers: JSON.parse(r.layers) as RunDetail['rounds'][number]['layers'] })),
      randomCandidates: log.randomCandidates(id).map((c) => ({ candidate: c.candidate, layers: JSON.parse(c.layers) as Array<{ kernel: number; dilation: number }>, validation: c.val_value, diverged: c.diverged === 1, flops: c.flops, wallMs: c.wall_ms })),
      hpTrials: log.hpTrials(id).map((t) => ({ trial: t.trial, hp: JSON.parse(t.hp) as Record<string, number>, validation: t.val_value, diverged: t.diverged === 1, wallMs: t.wall_ms })),
      spec: arch ? (JSON.parse(arch.spec) as Record<string, unknown>) : null,
    };
  }

  cancel(id: number): RunSummary {
    const run = this.options.log.run(id);
    if (run.status === 'queued') {
      this.options.log.cancelQueued(id);
      this.options.events.emit('runs/status', { runId: id, experimentId: run.experiment_id, status: 'cancelled', error: null });
    } else if (run.status === 'running') {
      if (!this.supervisor.stop(id, 'cancel')) this.options.log.requestStop(id, 'cancel');
    } else {
      throw new LabError('conflict', `Run ${id} is already ${run.status}.`);
    }
    return this.run(id);
  }

  pause(id: number): RunSummary {
    const run = this.options.log.run(id);
    if (run.status !== 'running') throw new LabError('conflict', `Run ${id} is ${run.status}, not running; only a running run can be paused.`);
    if (!this.supervisor.stop(id, 'pause')) this.options.log.requestStop(id, 'pause');
    return this.run(id);
  }

  /**
   * Queues a stopped run again. Its checkpoint is checked first: a damaged one is refused here, naming the
   * file, rather than failing in the worker later; the file is left as it is.
   */
  async resume(id: number): Promise<RunSummary> {
    const row = this.options.log.run(id);
    const checkpointPath = join(this.options.paths.runs, String(id), CHECKPOINT_FILE);
    if (row.checkpoint !== null && existsSync(checkpointPath)) await readCheckpointFile(checkpointPath, id, 'resume');
    const run = this.options.log.requeue(id);
    this.options.events.emit('runs/status', { runId: id, experimentId: run.experiment_id, status: 'queued', error: null });
    this.queue?.pump();
    return this.run(id);
  }

  compare(selection: { experiment: number } | { runs: number[] }): Comparison {
    const { log, datasets } = this.options;
    const rows = 'experiment' in selection ? log.runsOf(log.experiment(selection.experiment).id) : log.runsByIds(selection.runs);
    return compareRuns(rows, log, (experimentId) => datasets.get(log.experiment(experimentId).dataset_id));
  }

  private summarizeExperiment(row: ExperimentRow): ExperimentSummary {
    let datasetName = `#${row.dataset_id}`;
    try {
      datasetName = this.options.datasets.get(row.dataset_id).name;
    } catch {
      // The dataset row is protected by a foreign key; this only guards a lab edited by hand.
      datasetName = `#${row.dataset_id} (missing)`;
    }
    const runs = this.options.log.runsOf(row.id);
    return {
      id: row.id,
      name: row.name,
      dataset: { id: row.dataset_id, name: datasetName },
      methods: JSON.parse(row.methods) as Method[],
      seeds: JSON.parse(row.seeds) as number[],
      preset: row.preset,
      settings: JSON.parse(row.settings) as Record<string, unknown>,
      // Every run of an experiment is created with the same configuration; an experiment has at least one run.
      config: runs[0] === undefined ? null : readableConfig(runs[0].config),
      createdAt: row.created_at,
      runs: runs.map((r) => this.summarizeRun(r)),
    };
  }

  summarizeRun(row: RunRow): RunSummary {
    const { log } = this.options;
    const arch = log.architecture(row.id);
    const seconds: Record<string, number> = {};
    const steps: Record<string, number> = {};
    const flopsSpent: Record<string, number> = {};
    let total = 0;
    let totalFlops = 0;
    for (const p of log.phases(row.id)) {
      seconds[p.phase] = (seconds[p.phase] ?? 0) + p.wall_ms / 1000;
      steps[p.phase] = (steps[p.phase] ?? 0) + p.steps;
      flopsSpent[p.phase] = (flopsSpent[p.phase] ?? 0) + p.flops;
      total += p.wall_ms / 1000;
      totalFlops += p.flops;
    }
    seconds.total = total;
    flopsSpent.total = totalFlops;
    const checkpoint = row.checkpoint ? (JSON.parse(row.checkpoint) as { phase: string; epoch: number }) : null;
    const spec = arch ? (JSON.parse(arch.spec) as { layers: Array<{ layer: number; kernel: number; dilation: number }> }) : null;
    return {
      id: row.id,
      experimentId: row.experiment_id,
      method: row.method,
      seed: row.seed,
      status: row.status,
      phase: row.phase,
      progress: row.progress,
      backend: row.backend,
      threads: row.threads,
      ...(row.cpu_ms !== null && row.cpu_wall_ms !== null ? { cpu: { seconds: row.cpu_ms / 1000, wallSeconds: row.cpu_wall_ms / 1000 } } : {}),
      metric: row.metric_value !== null && row.metric_name !== null ? { name: row.metric_name, direction: row.metric_direction ?? 'minimize', value: row.metric_value } : null,
      validation: row.validation_value,
      architecture: spec ? spec.layers.map((l) => ({ layer: l.layer, kernel: l.kernel, dilation: l.dilation })) : null,
      archId: arch?.arch_id ?? null,
      parameters: arch?.parameters ?? null,
      flops: arch?.flops ?? null,
      seconds,
      steps,
      flopsSpent,
      checkpoint: checkpoint ? { phase: checkpoint.phase, epoch: checkpoint.epoch } : null,
      error: row.error ? (JSON.parse(row.error) as RunSummary['error']) : null,
      attempts: row.attempts,
      createdAt: row.created_at,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
    };
  }
}

/**
 * A stored configuration as the contract carries it; null for a run of an older lab whose preset and overrides
 * this lab cannot resolve (its record still shows; starting it fails, naming why: see the supervisor).
 */
function readableConfig(json: string): Record<string, unknown> | null {
  const stored = storedRunConfig(json);
  return stored.ok ? { ...stored.value } : null;
}

function epochPoint(event: Extract<EngineEvent, { type: 'epoch' }>): RunDetail['epochs'][number] {
  // A diverged epoch reports non-finite numbers; JSON and the contract carry them as null.
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  return { phase: event.phase, round: event.round ?? 0, trial: event.trial ?? -1, epoch: event.epoch, steps: event.steps, lr: event.lr, trainLoss: finite(event.trainLoss), validation: finite(event.validation?.value), wallMs: event.wallMs };
}
