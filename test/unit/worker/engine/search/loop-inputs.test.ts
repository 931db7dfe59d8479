import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type SeededRandom } from '../../../../../src/shared/engine/index.ts';
import type { Network } from '../../../../../src/worker/engine/backbones/network.ts';
import { epochInputs, evaluationInputs } from '../../../../../src/worker/engine/search/loop-inputs.ts';
import { createRunContext, type RunContext } from '../../../../../src/worker/engine/search/run-context.ts';
import { useTestBackend } from '../train/test-backend.ts';
import { stripes2d } from './synthetic-tasks.ts';

beforeAll(useTestBackend);

const draws = (rng: SeededRandom): number[] => Array.from({ length: 4 }, () => rng.int(1000));

function context(signal?: AbortSignal): RunContext {
  return createRunContext('dash', resolveConfig('smoke'), stripes2d(5), 5, { onEvent: () => undefined, saveCheckpoint: () => undefined, ...(signal ? { signal } : {}) });
}

describe('epochInputs', () => {
  it('trains on the run\'s split and loss, with shuffle then forward forked from the label\'s stream', () => {
    const ctx = context();
    const inputs = epochInputs(ctx, 'search/epoch2');
    expect(inputs.reader).toBe(ctx.train);
    expect(inputs.loss).toBe(ctx.loss);
    expect('signal' in inputs).toBe(false);
    const stream = ctx.stream('search/epoch2');
    expect(draws(inputs.shuffleRng)).toEqual(draws(stream.fork('shuffle')));
    expect(draws(inputs.forwardRng)).toEqual(draws(stream.fork('forward')));
    // The order of the forks is part of every result: forward forked first would draw other numbers.
    expect(draws(epochInputs(ctx, 'search/epoch2').forwardRng)).not.toEqual(draws(ctx.stream('search/epoch2').fork('forward')));
    expect(draws(epochInputs(ctx, 'search/epoch3').shuffleRng)).not.toEqual(draws(ctx.stream('search/epoch2').fork('shuffle')));
  });

  it('carries the run\'s cancel signal', () => {
    const controller = new AbortController();
    expect(epochInputs(context(controller.signal), 'e').signal).toBe(controller.signal);
  });
});

describe('evaluationInputs', () => {
  it('evaluates under the run\'s metric, batch size and classes, with the label\'s stream', () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    // Only passed through, never called: any object stands for the network.
    const net = { variables: [] } as unknown as Network;
    const inputs = evaluationInputs(ctx, net, 'hp/t0/eval');
    expect(inputs.net).toBe(net);
    expect(inputs.batchSize).toBe(ctx.config.evalBatchSize);
    expect(inputs.metric).toBe('error');
    expect(inputs.numClasses).toBe(3);
    expect('normalization' in inputs).toBe(false);
    expect(inputs.signal).toBe(controller.signal);
    expect(draws(inputs.rng)).toEqual(draws(ctx.stream('hp/t0/eval')));
  });
});
