/**
 * Builds the engine page the way `npm run build` does (electron-vite's renderer build, electron.vite.config.ts),
 * into a folder of the test's own, so tests use the production page code without racing other builds of out/.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

export async function buildEnginePage(outDir: string): Promise<string> {
  await promisify(execFile)(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--outDir', outDir], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  return join(outDir, 'renderer');
}
