import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import boundaries of docs/ARCHITECTURE.md are enforced by eslint.config.mjs; these cases prove the rule bites.
const eslint = new ESLint({ cwd: process.cwd() });

async function errorsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['src/main/core/x.ts', "import { app } from 'electron';"],
    ['src/cli/x.ts', "import { app } from 'electron';"],
    ['src/worker/x.ts', "import { app } from 'electron';"],
    ['src/shared/x.ts', "import { app } from 'electron';"],
  ])('%s may not import electron', async (file, code) => {
    expect((await errorsFor(file, code)).join('\n')).toContain('Only src/main/electron and src/preload may import electron');
  });

  it.each([
    "import { app } from 'electron/main';",
    "import type { BrowserWindow } from 'electron';",
  ])('the electron rule also catches %s', async (code) => {
    expect((await errorsFor('src/main/core/x.ts', code)).join('\n')).toContain('Only src/main/electron and src/preload may import electron');
  });

  it('a path through a folder named electron is not the electron package', async () => {
    expect(await errorsFor('scripts/x.mjs', "import { fuseConfig } from '../src/main/electron/fuses.ts';")).toEqual([]);
  });

  it.each([
    ['src/main/electron/x.ts', "import { app } from 'electron';"],
    ['src/preload/x.ts', "import { contextBridge } from 'electron';"],
  ])('%s may import electron', async (file, code) => {
    expect(await errorsFor(file, code)).toEqual([]);
  });

  it.each([
    "import { readFileSync } from 'node:fs';",
    "import { join } from 'path';",
    "import Database from 'better-sqlite3';",
    "import * as tfn from '@tensorflow/tfjs-node';",
  ])('the engine may not import Node-only modules: %s', async (code) => {
    expect(await errorsFor('src/worker/engine/ops/x.ts', code)).not.toEqual([]);
  });

  it('the engine may import tfjs', async () => {
    expect(await errorsFor('src/worker/engine/ops/x.ts', "import * as tf from '@tensorflow/tfjs-core';")).toEqual([]);
  });

  it('the renderer may not reach into the core', async () => {
    expect(await errorsFor('src/renderer/x.ts', "import { LabCore } from '../main/core/lab-core.ts';")).not.toEqual([]);
    expect(await errorsFor('src/renderer/x.ts', "import { channels } from '../shared/contract/index.ts';")).toEqual([]);
  });

  it.each([
    ['src/worker/x.ts', "import { LabCore } from '../main/core/lab-core.ts';", 'worker (src/worker/x.ts) may not import core'],
    ['src/worker/dataset-loader.ts', "import { openNpy } from '../main/core/datasets/open-array.ts';", 'may not import core'],
    ['src/main/core/x.ts', "import { PRESETS } from '../../shared/engine/presets.ts';", 'import its public entry src/shared/engine/index.ts'],
    ['src/main/core/runs/x.ts', "import type { RunDataset } from '../../../worker/engine/data/dataset.ts';", 'core (src/main/core/runs/x.ts) may not import numerics'],
    ['src/worker/engine/ops/x.ts', "import { openNpy } from '../../../array-io/index.ts';", 'numerics (src/worker/engine/ops/x.ts) may not import array-io'],
    ['src/renderer/x.vue', "<script setup lang=\"ts\">\nimport { PRESETS } from '../shared/engine/presets.ts';\n</script>", 'import its public entry src/shared/engine/index.ts'],
  ])('the layer rule refuses %s: %s', async (file, code, message) => {
    expect((await errorsFor(file, code)).join('\n')).toContain(message);
  });

  it.each([
    "import * as tf from '@tensorflow/tfjs-core';",
    "import { readFileSync } from 'node:fs';",
  ])('the vocabulary stays free of TF.js and Node: %s', async (code) => {
    expect(await errorsFor('src/shared/engine/x.ts', code)).not.toEqual([]);
  });

  it('the core may use the vocabulary and the worker through their public entries', async () => {
    expect(await errorsFor('src/main/core/runs/x.ts', "import { PRESETS } from '../../../shared/engine/index.ts';\nimport type { FromWorker } from '../../../worker/index.ts';")).toEqual([]);
  });
});
