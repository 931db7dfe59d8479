/**
 * The structure check (scripts/structure.mjs) over the real source tree: no import runs against the layers of
 * scripts/layers.mjs, none reaches past a module's public entry, and there is no import circle, type-only imports
 * included. The synthetic graphs show that each check finds what it is for.
 */
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, layerViolations, specifiersOf } from '../../../scripts/structure.mjs';
import { importViolation } from '../../../scripts/layers.mjs';

describe('the source tree', () => {
  const graph = importGraph();

  it('is read whole: every layer has files and imports', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.get('src/main/core/lab-core.ts')).toContain('src/main/core/handlers/index.ts');
    expect(graph.get('src/renderer/main.ts')?.length).toBeGreaterThan(0);
  });

  it('has no import against the layers and no deep import', () => {
    expect(layerViolations(graph).map((v) => v.problem)).toEqual([]);
  });

  it('has no import circle, type-only imports included', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('the checks bite', () => {
  it('reads type-only, re-export, dynamic and multi-line imports, and skips examples in comments', () => {
    const text = [
      "import type { A } from './a.ts';",
      "export { b } from './b.ts';",
      "export * from './c.ts';",
      'import {\n  d,\n  type E,\n} from "./d.ts";',
      "const f = await import('./f.ts');",
      "import './side-effect.ts';",
      "/** e.g. import { x } from './not-an-import.ts'; */",
      "// import { y } from './neither.ts';",
    ].join('\n');
    expect(specifiersOf(text)).toEqual(['./a.ts', './b.ts', './c.ts', './d.ts', './f.ts', './side-effect.ts']);
  });

  it('finds a circle of type-only imports and a file that imports itself', () => {
    const graph = new Map([
      ['src/a.ts', ['src/b.ts']],
      ['src/b.ts', ['src/c.ts']],
      ['src/c.ts', ['src/a.ts']],
      ['src/d.ts', ['src/d.ts']],
      ['src/e.ts', ['src/a.ts']],
    ]);
    expect(importCycles(graph)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts'], ['src/d.ts']]);
  });

  it.each([
    ['src/worker/run-job.ts', 'src/main/core/lab-core.ts', /worker .* may not import core .*: core is above it/],
    ['src/worker/engine/ops/x.ts', 'src/array-io/index.ts', /numerics .* may not import array-io/],
    ['src/shared/engine/config.ts', 'src/worker/engine/index.ts', /vocabulary .* may not import numerics/],
    ['src/main/core/runs/x.ts', 'src/worker/engine/index.ts', /core .* may not import numerics/],
    ['src/renderer/x.ts', 'src/main/core/lab-core.ts', /renderer .* may not import core/],
    ['src/shared/contract/x.ts', 'src/shared/engine/index.ts', /contract .* may not import vocabulary/],
    ['src/main/core/x.ts', 'src/shared/engine/config.ts', /import its public entry src\/shared\/engine\/index.ts/],
    ['src/worker/x.ts', 'src/worker/engine/search/dash.ts', /import its public entry src\/worker\/engine\/index.ts/],
    ['src/main/core/x.ts', 'src/array-io/npy.ts', /import its public entry src\/array-io\/index.ts/],
    ['src/cli/commands/x.ts', 'src/main/core/lab-core.ts', /import its public entry src\/main\/core\/index.ts/],
  ])('refuses %s -> %s', (from, to, reason) => {
    expect(importViolation(from, to)).toMatch(reason);
  });

  it.each([
    ['src/main/core/x.ts', 'src/shared/engine/index.ts'],
    ['src/worker/dataset-loader.ts', 'src/array-io/index.ts'],
    ['src/main/core/runs/x.ts', 'src/worker/index.ts'],
    ['src/main/electron/index.ts', 'src/worker/main.ts'],
    ['src/renderer/x.ts', 'src/shared/charts/index.ts'],
    ['src/worker/engine/search/x.ts', 'src/worker/engine/ops/mixture-conv.ts'],
  ])('allows %s -> %s', (from, to) => {
    expect(importViolation(from, to)).toBeNull();
  });
});
