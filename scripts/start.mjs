#!/usr/bin/env node
// `npm start`: the Electron app when an Electron binary is present; otherwise (as on headless machines where
// it cannot be downloaded) web mode, whose URL is printed. Extra arguments go to the app or to `pdash serve`:
//   npm start -- --lab ~/my-lab --port 8787
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireNode24 } from './node-check.mjs';

requireNode24('npm start');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const electronVite = join(root, 'node_modules', '.bin', 'electron-vite');

/** The binary electron's package would run, without triggering its download on first use. */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function buildIfStale() {
  const built = join(root, 'out', 'renderer', 'index.html');
  const sources = Math.max(newestMtime(join(root, 'src', 'renderer')), newestMtime(join(root, 'src', 'shared')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  console.log('Building the renderer (electron-vite build)...');
  const result = spawnSync(electronVite, ['build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (electronBinary() !== null) {
  const result = spawnSync(electronVite, ['preview', '--', ...args], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

console.log('No Electron binary on this machine (it cannot be downloaded here): starting web mode instead.');
buildIfStale();
process.argv = [process.argv[0], join(root, 'bin', 'pdash.mjs'), 'serve', ...args];
const { runFromProcess } = await import('../src/cli/main.ts');
await runFromProcess();
