/**
 * The search finds what matters: on a generated sequence task whose class is set only by the relation between
 * samples L = 48 steps apart (lag-task.ts), the backbone (the reference ResNet1D: kernels 8, 5, 3 per block,
 * receptive field 40) cannot do better than chance, while DASH and P-DASH must choose dilated patterns whose
 * receptive field covers the lag and solve it. A control at lag 8 (inside the backbone's field) shows the backbone
 * pipeline itself works, so its failure at lag 48 is the receptive field's. The random baseline runs at DASH's search compute, which the FLOP accounting
 * must show.
 *
 * Budget: the `quick` preset unchanged (its sample limits are exactly this task's split sizes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMethod, type RunDataset, type RunResult } from '../../../src/worker/engine/index.ts';
import { resolveConfig, type RunConfig, type EngineEvent } from '../../../src/shared/engine/index.ts';
import type { Method } from '../../../src/shared/contract/index.ts';
import { useTestBackend } from '../../unit/worker/engine/train/test-backend.ts';
import { disposeDataset } from '../../unit/worker/engine/search/synthetic-tasks.ts';
import { chainReceptiveField, lagTask } from './lag-task.ts';

const LAG = 48;
const LENGTH = 96;
/** Generous: a loaded CI machine may run several test files beside this one. */
const RUN_TIMEOUT_MS = 600_000;
const counts = { train: 1024, validation: 256, test: 512 };

interface Outcome {
  result: RunResult;
  events: EngineEvent[];
  field: number;
  /** Test accuracy, % (100 - error). */
  accuracy: number;
}

async function run(method: Method, config: RunConfig, data: RunDataset): Promise<Outcome> {
  const events: EngineEvent[] = [];
  const result = await runMethod(method, config, data, 1, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
  return { result, events, field: chainReceptiveField(result.spec.layers), accuracy: 100 - result.metric.value };
}

function searchFlops(o: Outcome): number {
  return o.events.filter((e) => e.type === 'phase-end' && (e.phase === 'search' || e.phase === 'select')).reduce((sum, e) => sum + (e.type === 'phase-end' ? e.flops : 0), 0);
}

describe(`a sequence task decided at lag ${LAG} (quick preset)`, () => {
  const data = lagTask(1, { length: LENGTH, lag: LAG, amplitude: 1, counts });
  const quick = resolveConfig('quick');
  const outcomes = new Map<string, Outcome>();

  beforeAll(useTestBackend);
  afterAll(() => disposeDataset(data));

  it('the backbone cannot see the lag and stays near chance', async () => {
    const backbone = await run('backbone', quick, data);
    outcomes.set('backbone', backbone);
    expect(backbone.field).toBe(40);
    expect(backbone.field).toBeLessThanOrEqual(LAG);
    expect(backbone.accuracy).toBeLessThan(65);
  }, RUN_TIMEOUT_MS);

  it('the backbone solves the same task at lag 8, inside its receptive field (control)', async () => {
    const near = lagTask(1, { length: LENGTH, lag: 8, amplitude: 1, counts });
    const control = await run('backbone', quick, near);
    disposeDataset(near);
    expect(control.accuracy).toBeGreaterThan(90);
  }, RUN_TIMEOUT_MS);

  for (const [label, method, overrides] of [
    ['dash', 'dash', {}],
    ['pdash', 'pdash', {}],
    ['pdash-perturbation', 'pdash', { selection: 'perturbation' }],
  ] as const) {
    it(`${label} chooses patterns whose receptive field covers the lag and beats the backbone clearly`, async () => {
      const outcome = await run(method, resolveConfig('quick', overrides), data);
      outcomes.set(label, outcome);
      expect(outcome.field).toBeGreaterThan(LAG);
      expect(outcome.accuracy).toBeGreaterThan(90);
      const backbone = outcomes.get('backbone');
      if (backbone !== undefined) expect(outcome.accuracy - backbone.accuracy).toBeGreaterThan(25);
    }, RUN_TIMEOUT_MS);
  }

  it('the random baseline spends at most DASH\'s search compute, and within one candidate of it', async () => {
    const random = await run('random', quick, data);
    outcomes.set('random', random);
    const dash = outcomes.get('dash');
    expect(dash).toBeDefined();
    const candidates = random.events.filter((e) => e.type === 'random-candidate');
    const largest = Math.max(...candidates.map((e) => (e.type === 'random-candidate' ? e.flops : 0)));
    expect(searchFlops(random)).toBeLessThanOrEqual(searchFlops(dash!));
    expect(searchFlops(random)).toBeGreaterThan(searchFlops(dash!) - largest);
  }, RUN_TIMEOUT_MS);
});
