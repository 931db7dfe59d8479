/**
 * Planted-task acceptance over seeds (issue #12): a sequence task whose class is set only by samples LAG = 24
 * steps apart (test/integration/engine/lag-task.ts; the kernel-3 backbone's field is 19). Runs backbone, DASH,
 * P-DASH and random (at DASH's search compute) at the `quick` preset for each seed — the task's data and the run
 * both take the seed — and prints per method the test accuracy mean ± sample std over seeds, each seed's accuracy
 * and receptive field, and the search's undecided layers. Prints; asserts nothing (the one-seed version is a test).
 *
 *   node bench/planted-lag.bench.ts [--seeds 0,1,2]
 */
import { parseArgs } from 'node:util';
import { layerDecision, resolveConfig, type EngineEvent } from '../src/shared/engine/index.ts';
import type { Method } from '../src/shared/contract/index.ts';
import { setupNodeRuntime } from '../src/worker/node-runtime.ts';
import { runMethod } from '../src/worker/engine/index.ts';
import { chainReceptiveField, lagTask } from '../test/integration/engine/lag-task.ts';
import { disposeDataset } from '../test/unit/worker/engine/search/synthetic-tasks.ts';

const LAG = 24;
const { values } = parseArgs({ options: { seeds: { type: 'string', default: '0,1,2' } } });
const seeds = values.seeds.split(',').map(Number);
await setupNodeRuntime({ backend: 'wasm', threads: 1 });

const methods: Method[] = ['backbone', 'dash', 'pdash', 'random'];
const results = new Map<Method, Array<{ seed: number; accuracy: number; field: number; undecided: string }>>();
for (const seed of seeds) {
  const data = lagTask(seed, { length: 64, lag: LAG, amplitude: 1, counts: { train: 1024, validation: 256, test: 512 } });
  for (const method of methods) {
    const events: EngineEvent[] = [];
    const result = await runMethod(method, resolveConfig('quick'), data, seed, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
    const alpha = events.filter((e) => e.type === 'alpha').at(-1);
    const undecided = alpha === undefined || alpha.type !== 'alpha' ? '-' : `${alpha.layers.filter((l) => !layerDecision(l.softmax).decided).length}/${alpha.layers.length}`;
    const row = { seed, accuracy: 100 - result.metric.value, field: chainReceptiveField(result.spec.layers), undecided };
    results.set(method, [...(results.get(method) ?? []), row]);
    console.log(`seed ${seed} ${method}: accuracy ${row.accuracy.toFixed(1)}%, field ${row.field}, undecided ${undecided}`);
  }
  disposeDataset(data);
}

console.log(`\n| method | n | test accuracy %, mean ± sample std | per seed (accuracy / field / undecided layers) |`);
console.log('|---|---|---|---|');
for (const method of methods) {
  const rows = results.get(method)!;
  const mean = rows.reduce((a, r) => a + r.accuracy, 0) / rows.length;
  const std = rows.length > 1 ? Math.sqrt(rows.reduce((a, r) => a + (r.accuracy - mean) ** 2, 0) / (rows.length - 1)) : 0;
  console.log(`| ${method} | ${rows.length} | ${mean.toFixed(1)} ± ${std.toFixed(1)} | ${rows.map((r) => `${r.accuracy.toFixed(1)} / ${r.field} / ${r.undecided}`).join('; ')} |`);
}
