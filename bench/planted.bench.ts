/**
 * Planted-task acceptance over seeds (issue #12): tasks whose class is set only by a relation a known distance
 * apart, longer than the backbone's receptive field.
 * - lag1d: sequences of 128, class = sign of the echo at lag 48 (test/integration/engine/lag-task.ts); the 1-D
 *   backbone (the reference ResNet1D's kernels 8, 5, 3 per block) sees 40 samples.
 * - echo2d: 4 x 112 images, class = sign of a horizontal echo 56 columns apart
 *   (test/integration/engine/echo-2d-task.ts); the 3x3 WRN-16-1 backbone sees 47 pixels along a side.
 * Runs the chosen methods at the `quick` preset for each seed — the task's data and the run both take the seed —
 * and prints per method the test accuracy mean ± sample std over seeds and, per seed, the accuracy, the receptive
 * field along the relation's axis, whether it covers the relation, the search's undecided layers and the wall time.
 * Prints; asserts nothing (the one-seed 1-D version is test/integration/engine/finds-what-matters.test.ts).
 *
 *   node bench/planted.bench.ts [--task lag1d|echo2d] [--seeds 0,1,2] [--methods backbone,dash,pdash,random]
 */
import { parseArgs } from 'node:util';
import { layerDecision, resolveConfig, type ArchitectureSpec, type EngineEvent } from '../src/shared/engine/index.ts';
import { Method } from '../src/shared/contract/index.ts';
import { setupNodeRuntime } from '../src/worker/node-runtime.ts';
import { runMethod, type RunDataset } from '../src/worker/engine/index.ts';
import { chainReceptiveField, lagTask } from '../test/integration/engine/lag-task.ts';
import { ECHO_IMAGE, ECHO_OFFSET, echo2dTask, wrnFieldAlongAxis } from '../test/integration/engine/echo-2d-task.ts';
import { disposeDataset } from '../test/unit/worker/engine/search/synthetic-tasks.ts';

/** The 1-D lag: beyond the 1-D backbone's field of 40, with 80 echo pairs in each length-128 sequence. */
const LAG = 48;
/** quick's sample limits, so no run drops data. */
const counts = { train: 1024, validation: 256, test: 512 };

interface PlantedTask {
  describe: string;
  /** Distance of the planted relation along its axis. */
  distance: number;
  data: (seed: number) => RunDataset;
  /** Receptive field of a chosen architecture along the relation's axis. */
  field: (spec: ArchitectureSpec) => number;
}

const TASKS: Record<string, PlantedTask> = {
  lag1d: {
    describe: `sequences of 128, echo at lag ${LAG}`,
    distance: LAG,
    data: (seed) => lagTask(seed, { length: 128, lag: LAG, amplitude: 1, counts }),
    field: (spec) => chainReceptiveField(spec.layers),
  },
  echo2d: {
    describe: `${ECHO_IMAGE.height} x ${ECHO_IMAGE.width} images, horizontal echo ${ECHO_OFFSET} columns apart`,
    distance: ECHO_OFFSET,
    data: (seed) => echo2dTask(seed, { ...ECHO_IMAGE, offset: ECHO_OFFSET, amplitude: 1, counts }),
    field: wrnFieldAlongAxis,
  },
};

const { values } = parseArgs({
  options: {
    task: { type: 'string', default: 'lag1d' },
    seeds: { type: 'string', default: '0,1,2' },
    methods: { type: 'string', default: 'backbone,dash,pdash,random' },
  },
});
const task: PlantedTask = TASKS[values.task] ?? fail(`--task must be one of ${Object.keys(TASKS).join(', ')}, got "${values.task}"`);
const seeds = values.seeds.split(',').map((s) => {
  if (!/^\d+$/.test(s.trim())) fail(`--seeds must be non-negative integers separated by commas, got "${values.seeds}"`);
  return Number(s);
});
const methods = values.methods.split(',').map((m) => {
  const parsed = Method.safeParse(m.trim());
  return parsed.success ? parsed.data : fail(`--methods takes ${Method.options.join(', ')} separated by commas, got "${m}"`);
});

function fail(what: string): never {
  throw new Error(`planted bench: ${what}`);
}

await setupNodeRuntime({ backend: 'wasm', threads: 1 });
console.log(`planted ${values.task}: ${task.describe}; quick preset; seeds ${seeds.join(', ')}`);

interface Row {
  seed: number;
  accuracy: number;
  field: number;
  undecided: string;
  seconds: number;
}
const results = new Map<Method, Row[]>();
for (const seed of seeds) {
  const data = task.data(seed);
  for (const method of methods) {
    const events: EngineEvent[] = [];
    const start = performance.now();
    const result = await runMethod(method, resolveConfig('quick'), data, seed, { onEvent: (e) => events.push(e), saveCheckpoint: () => undefined });
    const alpha = events.filter((e) => e.type === 'alpha').at(-1);
    const undecided = alpha === undefined || alpha.type !== 'alpha' ? '-' : `${alpha.layers.filter((l) => !layerDecision(l.softmax).decided).length}/${alpha.layers.length}`;
    const row = { seed, accuracy: 100 - result.metric.value, field: task.field(result.spec), undecided, seconds: (performance.now() - start) / 1000 };
    results.set(method, [...(results.get(method) ?? []), row]);
    const reach = covers(row) ? `covers ${task.distance}` : `short of ${task.distance}`;
    console.log(`seed ${seed} ${method}: accuracy ${row.accuracy.toFixed(1)}%, field ${row.field} (${reach}), undecided ${undecided}, wall ${row.seconds.toFixed(0)} s`);
  }
  disposeDataset(data);
}

/** Whether one output can see both ends of the relation: a field of distance + 1 or more. */
function covers(row: Row): boolean {
  return row.field > task.distance;
}

console.log(`\n| method | n | test accuracy %, mean ± sample std | per seed (accuracy / field, covers ${task.distance}? / undecided layers / wall s) |`);
console.log('|---|---|---|---|');
for (const method of methods) {
  const rows = results.get(method)!;
  const mean = rows.reduce((a, r) => a + r.accuracy, 0) / rows.length;
  const std = rows.length > 1 ? Math.sqrt(rows.reduce((a, r) => a + (r.accuracy - mean) ** 2, 0) / (rows.length - 1)) : 0;
  const perSeed = rows.map((r) => `${r.accuracy.toFixed(1)} / ${r.field}, ${covers(r) ? 'yes' : 'no'} / ${r.undecided} / ${r.seconds.toFixed(0)}`);
  console.log(`| ${method} | ${rows.length} | ${mean.toFixed(1)} ± ${std.toFixed(1)} | ${perSeed.join('; ')} |`);
}
