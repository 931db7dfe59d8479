/**
 * The lab core never loads TF.js: it validates forms, reads and exports checkpoints with the engine's TF.js-free
 * vocabulary (src/shared/engine), and only the worker processes load the numerics. A child process records every
 * module Node resolves (a `registerHooks` resolve hook), imports the core's entry and opens a lab; none of those
 * modules may come from a '@tensorflow' package.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.ts';

const root = join(import.meta.dirname, '..', '..');

/** Resolves every module the child loads; imports `entry` and runs `then` (a function body given the module). */
const CHILD = `
import { registerHooks } from 'node:module';
const resolved = [];
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); resolved.push(result.url); return result; } });
const [entry, then] = process.argv.slice(-2);
const module = await import(entry);
await new Function('module', 'labDir', then)(module, process.env.PDASH_TEST_LAB);
process.stdout.write(JSON.stringify(resolved));
`;

function modulesLoadedBy(entry: string, then: string, labDir: string): string[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '--eval', CHILD, '--', pathToFileURL(join(root, entry)).href, then], {
    env: { ...process.env, PDASH_TEST_LAB: labDir },
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir();
});
afterAll(() => dir?.remove());

describe('the lab core without TF.js', () => {
  it('importing lab-core.ts and opening a lab loads no @tensorflow module', () => {
    const loaded = modulesLoadedBy('src/main/core/lab-core.ts', "module.LabCore.open({ labDir, frontDoor: 'cli' }).close();", join(dir.path, 'lab'));
    expect(loaded.some((url) => url.includes('/src/main/core/runs/run-service.ts'))).toBe(true); // the hook saw the core's graph
    expect(loaded.some((url) => url.includes('/src/main/core/export/architecture/architecture-export.ts'))).toBe(true);
    expect(loaded.filter((url) => url.includes('@tensorflow'))).toEqual([]);
  });

  it('the same probe sees TF.js where it is loaded: the engine', () => {
    const loaded = modulesLoadedBy('src/worker/engine/index.ts', '', join(dir.path, 'unused'));
    expect(loaded.some((url) => url.includes('@tensorflow/tfjs-core'))).toBe(true);
  });
});
