/**
 * The worker protocol's bench messages (src/worker/protocol.ts): what the schemas let through and what they refuse,
 * with a layer result produced by the engine's own benchmark (so the schema is checked against its producer, not
 * against a copy), and the message loop (src/worker/message-loop.ts) answering a bench over an in-memory port.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { patternSpace, type MixtureLayerResult } from '../../../src/shared/engine/index.ts';
import { runMixtureBench } from '../../../src/worker/engine/bench/index.ts';
import { serveWorker, type WorkerEnvironment } from '../../../src/worker/message-loop.ts';
import { setupNodeRuntime, probeNodeBackends } from '../../../src/worker/node-runtime.ts';
import { FromWorker, ToWorker } from '../../../src/worker/protocol.ts';
import { nodeJobRuntime } from '../../../src/worker/run-job.ts';

let layer: MixtureLayerResult;

beforeAll(async () => {
  await setupNodeRuntime({ backend: 'cpu' });
  const result = await runMixtureBench({
    layers: [
      {
        name: 'tiny 1-D dense 2->2 @9',
        reference: 'custom',
        sampleShape: [9, 2],
        config: { rank: 1, inChannels: 2, outChannels: 2, stride: 1, patterns: patternSpace([3, 5], [1, 2]), depthwise: false, bias: true },
        slots: 1,
        defaultBatch: 1,
      },
    ],
    repeats: 1,
  });
  layer = result.layers[0]!;
});

const issues = (schema: typeof ToWorker | typeof FromWorker, value: unknown): string => {
  const parsed = schema.safeParse(value);
  return parsed.success ? 'accepted' : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
};

describe('bench messages to the worker', () => {
  it('accept a bench of named backend, threads and both benchmarks, and one with only a backend-less mixture spec', () => {
    const full = { type: 'bench', backend: 'webgpu', threads: 2, spec: { mixture: { filter: 'ecg', batch: 1, repeats: 1, maxCallMs: 500 }, step: { references: ['ecg'], batch: 4, repeats: 2 } } };
    expect(ToWorker.parse(full)).toEqual(full);
    expect(issues(ToWorker, { type: 'bench', spec: { mixture: {}, step: null } })).toBe('accepted');
  });

  it('refuse what a worker could not run, naming the field', () => {
    const bench = (spec: unknown, extra: object = {}) => ({ type: 'bench', spec, ...extra });
    expect(issues(ToWorker, bench({ mixture: { repeats: 0 }, step: null }))).toMatch(/^spec\.mixture\.repeats: /);
    expect(issues(ToWorker, bench({ mixture: { batch: 1.5 }, step: null }))).toMatch(/^spec\.mixture\.batch: /);
    expect(issues(ToWorker, bench({ mixture: { maxCallMs: -1 }, step: null }))).toMatch(/^spec\.mixture\.maxCallMs: /);
    expect(issues(ToWorker, bench({ mixture: { layers: [] }, step: null }))).toMatch(/^spec\.mixture: .*layers/);
    expect(issues(ToWorker, bench({ mixture: null, step: { references: ['darcy'] } }))).toMatch(/^spec\.step\.references\.0: /);
    expect(issues(ToWorker, bench({ mixture: null }))).toMatch(/^spec\.step: /);
    expect(issues(ToWorker, bench({ mixture: null, step: null }, { backend: 'tpu' }))).toMatch(/^backend: /);
    expect(issues(ToWorker, bench({ mixture: null, step: null }, { threads: 0 }))).toMatch(/^threads: /);
  });
});

describe('bench messages from the worker', () => {
  it("accept the engine's own layer result, NaN differences included (a method that computed NaN)", () => {
    expect(FromWorker.parse({ type: 'bench-layer', layer })).toEqual({ type: 'bench-layer', layer });
    const nan = { ...layer, methods: layer.methods.map((m) => (m.method === 'fft' ? { ...m, maxRelDiff: Number.NaN } : m)) };
    expect(issues(FromWorker, { type: 'bench-layer', layer: nan })).toBe('accepted');
    const result = { type: 'bench-result', mixture: { tfjsBackend: 'cpu', repeats: 1, maxCallMs: 15000, layers: [layer] }, step: null };
    expect(FromWorker.parse(result)).toEqual(result);
  });

  it('refuse a layer result with a field missing, an unknown method or a measurement that is not a number', () => {
    const { slots: _slots, ...withoutSlots } = layer;
    expect(issues(FromWorker, { type: 'bench-layer', layer: withoutSlots })).toMatch(/^layer\.slots: /);
    const unknownMethod = { ...layer, methods: [{ ...layer.methods[0]!, method: 'winograd' }] };
    expect(issues(FromWorker, { type: 'bench-layer', layer: unknownMethod })).toMatch(/^layer\.methods\.0\.method: /);
    const textTime = { ...layer, methods: [{ ...layer.methods[0]!, ms: '12' }] };
    expect(issues(FromWorker, { type: 'bench-layer', layer: textTime })).toMatch(/^layer\.methods\.0\.ms: /);
    expect(issues(FromWorker, { type: 'bench-result', mixture: null })).toMatch(/^step: /);
    expect(issues(FromWorker, { type: 'bench-error', stage: 'later', error: { code: 'internal', message: 'x' } })).toMatch(/^stage: /);
    expect(issues(FromWorker, { type: 'bench-progress' })).toMatch(/^message: /);
  });
});

/** Serves one worker over an in-memory port; returns what it posted once `until` holds for a message. */
function converse(environment: WorkerEnvironment, message: unknown, until: (m: FromWorker) => boolean): Promise<FromWorker[]> {
  return new Promise((resolve) => {
    const posted: FromWorker[] = [];
    let deliver: (raw: unknown) => void = () => {};
    serveWorker(
      {
        post: (m) => {
          // Everything a worker sends must pass the schema the host parses it with.
          posted.push(FromWorker.parse(m));
          if (m.type === 'ready') deliver(message);
          if (until(m)) resolve(posted);
        },
        onMessage: (listener) => (deliver = listener),
      },
      environment,
    );
  });
}

const nodeEnvironment = (withBench: boolean): WorkerEnvironment => ({
  pid: 0,
  probe: probeNodeBackends,
  runtime: nodeJobRuntime,
  ...(withBench ? { setupBackend: setupNodeRuntime } : {}),
  exit: () => {},
});
const ends = (m: FromWorker): boolean => m.type === 'bench-result' || m.type === 'bench-error';

describe('the message loop answers a bench', () => {
  it('with the backend, progress, each layer as it is measured, then the result', async () => {
    const posted = await converse(nodeEnvironment(true), { type: 'bench', backend: 'cpu', spec: { mixture: { filter: 'ecg block1.conv1', batch: 1, repeats: 1 }, step: null } }, ends);
    expect(posted.map((m) => m.type).filter((t, i, all) => t !== all[i - 1])).toEqual(['ready', 'backend', 'bench-progress', 'bench-layer', 'bench-result']);
    const result = posted.at(-1) as Extract<FromWorker, { type: 'bench-result' }>;
    const sent = posted.find((m) => m.type === 'bench-layer') as Extract<FromWorker, { type: 'bench-layer' }>;
    expect(result.mixture?.layers).toEqual([sent.layer]);
    expect(sent.layer.name).toBe('ecg block1.conv1 1->4 @1000');
    expect(result.step).toBeNull();
  }, 30000);

  it('with bench-error: stage bench for a filter that matches no layer, stage backend where the entry cannot bench', async () => {
    const spec = { mixture: { filter: 'no-such-layer' }, step: null };
    const failed = (await converse(nodeEnvironment(true), { type: 'bench', backend: 'cpu', spec }, ends)).at(-1);
    expect(failed).toMatchObject({ type: 'bench-error', stage: 'bench', error: { message: expect.stringMatching(/no benchmark layer matches 'no-such-layer'/) } });
    const refused = (await converse(nodeEnvironment(false), { type: 'bench', backend: 'cpu', spec }, ends)).at(-1);
    expect(refused).toMatchObject({ type: 'bench-error', stage: 'backend', error: { code: 'unavailable', message: 'This worker entry does not run benchmarks.' } });
  }, 30000);
});
