import { memoryArraySource } from '../../src/array-io/array-source.ts';
import type { DatasetRegistry } from '../../src/main/core/datasets/registry.ts';
import type { DatasetSummary } from '../../src/shared/contract/datasets.ts';

/**
 * A small 1-D classification task for run tests: two classes of noisy sinusoids of different frequency,
 * length 32, one channel. Learnable in a smoke run, deterministic.
 */
export async function registerToyDataset(registry: DatasetRegistry, name = 'toy'): Promise<DatasetSummary> {
  const split = (n: number, offset: number) => {
    const x = new Float32Array(n * 32);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = i % 2;
      for (let t = 0; t < 32; t++) x[i * 32 + t] = Math.sin(t * (y[i] === 1 ? 0.9 : 0.3) + offset + i) + 0.1 * Math.cos((offset + i) * t);
    }
    return { x: memoryArraySource(`${name}-x`, x, [n, 32, 1], 'float32'), y: memoryArraySource(`${name}-y`, y, [n], 'int32') };
  };
  return registry.register({ name, input: { kind: 'classification', train: split(64, 1), test: split(32, 500), classes: 2 }, source: { type: 'generated', detail: 'test sinusoids' } });
}
