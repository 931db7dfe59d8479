import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LabCore } from '../../src/main/core/lab-core.ts';
import type { EngineEvent } from '../../src/shared/engine/index.ts';
import { nextEvent } from '../helpers/lab-events.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { registerToyDataset } from '../helpers/toy-dataset.ts';

let dir: ReturnType<typeof tempDir>;
let core: LabCore;

beforeEach(() => {
  dir = tempDir();
  core = LabCore.open({ labDir: join(dir.path, 'lab'), frontDoor: 'cli' });
});
afterEach(() => {
  vi.restoreAllMocks();
  core.close();
  dir.remove();
});


type Work = { steps: number; wallMs: number; flops: number };

/**
 * The work one attempt reported per phase, as the engine says it: a phase's end carries the attempt's totals for
 * it; a phase the attempt was stopped in has only its epochs (steps and time, no FLOPs).
 */
function attemptWork(events: readonly EngineEvent[]): Map<string, Work & { ended: boolean }> {
  const work = new Map<string, Work & { ended: boolean }>();
  for (const e of events) {
    if (e.type === 'epoch') {
      const w = work.get(e.phase) ?? { steps: 0, wallMs: 0, flops: 0, ended: false };
      work.set(e.phase, { ...w, steps: w.steps + e.steps, wallMs: w.wallMs + e.wallMs });
    } else if (e.type === 'phase-end') {
      work.set(e.phase, { steps: e.steps, wallMs: e.wallMs, flops: e.flops, ended: true });
    }
  }
  return work;
}

/** Every engine event the log records for a run, attempt by attempt (a run-start opens an attempt). */
function recordEvents(runId: number): EngineEvent[][] {
  const attempts: EngineEvent[][] = [];
  const record = core.log.record.bind(core.log);
  vi.spyOn(core.log, 'record').mockImplementation((id, event) => {
    if (id === runId) {
      if (event.type === 'run-start') attempts.push([]);
      attempts.at(-1)?.push(event);
    }
    record(id, event);
  });
  return attempts;
}

const overrides = { search: { epochs: 4 }, retrain: { epochs: 2 } };

describe('a run\'s time, steps and FLOPs sum all its attempts', () => {
  it('a DASH run cancelled mid-search and resumed reports both attempts\' work; an uninterrupted run reports its own', async () => {
    const dataset = await registerToyDataset(core.datasets);

    const reference = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'reference', overrides });
    const referenceId = reference.runs[0]!.id;
    const referenceEvents = recordEvents(referenceId);
    await core.runs.startQueue({ experimentId: reference.id }).idle();
    const uninterrupted = core.runs.run(referenceId);
    expect(uninterrupted.status).toBe('done');
    expect(referenceEvents).toHaveLength(1);
    // Uninterrupted: each phase is exactly what its end reported.
    for (const [phase, w] of attemptWork(referenceEvents[0]!)) {
      expect(w.ended).toBe(true);
      expect(uninterrupted.steps[phase]).toBe(w.steps);
      expect(uninterrupted.seconds[phase]).toBeCloseTo(w.wallMs / 1000, 9);
      expect(uninterrupted.flopsSpent[phase]).toBeCloseTo(w.flops, 0);
    }
    vi.restoreAllMocks();

    const experiment = core.runs.create({ dataset: dataset.id, methods: ['dash'], seeds: [0], preset: 'smoke', name: 'cancelled, resumed', overrides });
    const runId = experiment.runs[0]!.id;
    const attempts = recordEvents(runId);
    // Cancel as soon as the first search epoch is reported: the search is under way, not finished.
    const firstEpoch = nextEvent(core, (event, p) => event === 'runs/progress' && p.runId === runId && (p.epoch as { phase: string } | null)?.phase === 'search');
    const cancelled = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'cancelled');
    const queue = core.runs.startQueue({ experimentId: experiment.id });
    await firstEpoch;
    core.runs.cancel(runId);
    await cancelled;
    await queue.idle();
    const first = attemptWork(attempts[0]!).get('search')!;
    expect(first.ended).toBe(false);
    expect(first.steps).toBeGreaterThan(0);
    expect(first.steps).toBeLessThan(uninterrupted.steps.search!);
    // The stopped attempt's work is in the record at once: it does not wait for the phase to end.
    const afterCancel = core.runs.run(runId);
    expect(afterCancel.steps.search).toBe(first.steps);
    expect(afterCancel.seconds.search).toBeCloseTo(first.wallMs / 1000, 9);

    const done = nextEvent(core, (event, p) => event === 'runs/status' && p.runId === runId && p.status === 'done');
    await core.runs.resume(runId);
    await done;
    const resumed = core.runs.run(runId);
    expect(resumed.status).toBe('done');
    expect(resumed.attempts).toBe(2);
    expect(attempts).toHaveLength(2);
    const second = attemptWork(attempts[1]!);
    const secondSearch = second.get('search')!;
    expect(secondSearch.ended).toBe(true);

    // Each phase's steps and time are the sum of both attempts' recorded work.
    for (const phase of new Set([...attemptWork(attempts[0]!).keys(), ...second.keys()])) {
      const a = attemptWork(attempts[0]!).get(phase) ?? { steps: 0, wallMs: 0, flops: 0 };
      const b = second.get(phase) ?? { steps: 0, wallMs: 0, flops: 0 };
      expect(resumed.steps[phase]).toBe(a.steps + b.steps);
      expect(resumed.seconds[phase]).toBeCloseTo((a.wallMs + b.wallMs) / 1000, 9);
    }
    expect(resumed.seconds.total).toBeGreaterThan(secondSearch.wallMs / 1000 + (resumed.seconds.retrain ?? 0));
    // The first attempt's search epochs are priced at the second's FLOPs per step (one supernet, one batch size).
    expect(resumed.flopsSpent.search).toBeCloseTo(secondSearch.flops + first.steps * (secondSearch.flops / secondSearch.steps), 0);
    // Cancelled at an epoch's checkpoint, nothing was redone: the work is the uninterrupted run's.
    expect(resumed.steps).toEqual(uninterrupted.steps);
    expect(resumed.flopsSpent.search! / uninterrupted.flopsSpent.search!).toBeCloseTo(1, 9);
    expect(resumed.flopsSpent.total! / uninterrupted.flopsSpent.total!).toBeCloseTo(1, 9);
  });
});
