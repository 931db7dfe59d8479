/**
 * Test helper: runs a method and records its events and encoded checkpoints; can stop a run after its n-th
 * checkpoint (through the run's AbortSignal) or resume one from a checkpoint.
 */
import { expect } from 'vitest';
import { runMethod, type RunDataset, type RunResult } from '../../../../../src/worker/engine/index.ts';
import { decodeCheckpoint, encodeCheckpoint, type RunCheckpoint, type RunConfig, type EngineEvent } from '../../../../../src/shared/engine/index.ts';
import type { Method } from '../../../../../src/shared/contract/index.ts';

export interface Recorded {
  result: RunResult;
  events: EngineEvent[];
  checkpoints: Uint8Array[];
}

export async function recordRun(
  method: Method,
  config: RunConfig,
  data: RunDataset,
  seed: number,
  options: { resume?: RunCheckpoint; abortAfterCheckpoint?: number } = {},
): Promise<Recorded> {
  const events: EngineEvent[] = [];
  const checkpoints: Uint8Array[] = [];
  const controller = new AbortController();
  const result = await runMethod(method, config, data, seed, {
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'checkpoint' && checkpoints.length === options.abortAfterCheckpoint) controller.abort();
    },
    saveCheckpoint: (c) => {
      checkpoints.push(encodeCheckpoint(c));
    },
    ...(options.resume ? { loadCheckpoint: () => options.resume } : {}),
    signal: controller.signal,
  });
  return { result, events, checkpoints };
}

/** Final network and best-validated weights, from the run's last checkpoint. */
export function finalWeights(r: Recorded): Map<string, number[]> {
  const last = decodeCheckpoint(r.checkpoints.at(-1)!);
  expect(last.state.phase).toBe('retrain');
  return new Map(last.tensors.filter((t) => t.name.startsWith('net/') || t.name.startsWith('best/')).map((t) => [t.name, Array.from(t.data)]));
}

export function eventsOf<T extends EngineEvent['type']>(events: readonly EngineEvent[], type: T): Extract<EngineEvent, { type: T }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
}
