import { describe, expect, it } from 'vitest';
import { describeCapacity, NATIVE_THREADS_PER_RUN, RUN_MEMORY_BYTES, runCapacity } from '../../../../../src/main/core/runs/capacity.ts';

const GiB = 1024 ** 3;
const roomy = (cores: number) => ({ cores, freeMemory: 64 * GiB });

describe('runCapacity', () => {
  it('wasm and cpu: one run per core, one thread each', () => {
    expect(runCapacity(roomy(2), 'wasm')).toEqual({ concurrency: 2, threads: 1, cores: 2, backend: 'wasm', limitedBy: 'cores' });
    expect(runCapacity(roomy(12), 'wasm')).toMatchObject({ concurrency: 12, threads: 1 });
    expect(runCapacity(roomy(3), 'cpu')).toMatchObject({ concurrency: 3, threads: 1, limitedBy: 'cores' });
    expect(runCapacity(roomy(1), 'wasm')).toMatchObject({ concurrency: 1, threads: 1 });
  });

  it('native tensorflow: fewer runs with more threads each', () => {
    expect(NATIVE_THREADS_PER_RUN).toBe(4);
    expect(runCapacity(roomy(16), 'tensorflow')).toEqual({ concurrency: 4, threads: 4, cores: 16, backend: 'tensorflow', limitedBy: 'cores' });
    // The cores left over go to the runs: 10 cores are 2 runs of 5 threads, never a run with none.
    expect(runCapacity(roomy(10), 'tensorflow')).toMatchObject({ concurrency: 2, threads: 5 });
    expect(runCapacity(roomy(2), 'tensorflow')).toMatchObject({ concurrency: 1, threads: 2 });
  });

  it('a GPU backend: one run per GPU, sharing the cores', () => {
    expect(runCapacity(roomy(8), 'tensorflow-gpu')).toEqual({ concurrency: 1, threads: 8, cores: 8, backend: 'tensorflow-gpu', limitedBy: 'gpu' });
    expect(runCapacity(roomy(8), 'tensorflow-gpu', { gpus: 2 })).toMatchObject({ concurrency: 2, threads: 4, limitedBy: 'gpu' });
  });

  it('free memory caps the runs at about one per RUN_MEMORY_BYTES, and one run always starts', () => {
    expect(runCapacity({ cores: 8, freeMemory: 3.5 * RUN_MEMORY_BYTES }, 'wasm')).toEqual({ concurrency: 3, threads: 2, cores: 8, backend: 'wasm', limitedBy: 'memory' });
    expect(runCapacity({ cores: 8, freeMemory: 0.2 * RUN_MEMORY_BYTES }, 'wasm')).toMatchObject({ concurrency: 1, threads: 8, limitedBy: 'memory' });
    // Exactly enough memory for every core's run: the cores are the limit.
    expect(runCapacity({ cores: 4, freeMemory: 4 * RUN_MEMORY_BYTES }, 'wasm')).toMatchObject({ concurrency: 4, limitedBy: 'cores' });
    expect(runCapacity({ cores: 16, freeMemory: 2 * RUN_MEMORY_BYTES }, 'tensorflow')).toMatchObject({ concurrency: 2, threads: 8, limitedBy: 'memory' });
  });

  it('--concurrency K overrides, whatever the backend and memory: threads = max(1, floor(cores / K))', () => {
    expect(runCapacity(roomy(2), 'wasm', { requested: 1 })).toEqual({ concurrency: 1, threads: 2, cores: 2, backend: 'wasm', limitedBy: 'requested' });
    expect(runCapacity({ cores: 7, freeMemory: 0 }, null, { requested: 2 })).toMatchObject({ concurrency: 2, threads: 3 });
    expect(runCapacity(roomy(2), 'tensorflow-gpu', { requested: 5 })).toMatchObject({ concurrency: 5, threads: 1 });
  });

  it('refuses impossible inputs, naming them', () => {
    expect(() => runCapacity(roomy(0), 'wasm')).toThrow('runCapacity: cores must be a positive integer, got 0');
    expect(() => runCapacity({ cores: 2, freeMemory: Number.NaN }, 'wasm')).toThrow('freeMemory must be a non-negative number of bytes, got NaN');
    expect(() => runCapacity(roomy(2), 'wasm', { requested: 0 })).toThrow('the requested concurrency must be a positive integer, got 0');
    expect(() => runCapacity(roomy(2), 'tensorflow-gpu', { gpus: 0 })).toThrow('gpus must be a positive integer, got 0');
    expect(() => runCapacity(roomy(2), null)).toThrow('without a requested concurrency the backend must be known');
  });
});

describe('describeCapacity', () => {
  it('says how many runs, threads each, the cores and why', () => {
    expect(describeCapacity(runCapacity(roomy(2), 'wasm'))).toBe('2 runs at a time, 1 thread each (2 cores, wasm)');
    expect(describeCapacity(runCapacity(roomy(2), 'wasm', { requested: 1 }))).toBe('1 run at a time, 2 threads each (2 cores, --concurrency)');
    expect(describeCapacity(runCapacity({ cores: 4, freeMemory: 0 }, 'cpu'))).toBe('1 run at a time, 4 threads each (4 cores, cpu, limited by free memory)');
    expect(describeCapacity(runCapacity({ cores: 1, freeMemory: 0 }, 'wasm'))).toBe('1 run at a time, 1 thread each (1 core, wasm)');
  });
});
