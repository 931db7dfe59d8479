/**
 * The packaging step's fuses. No Electron binary can be downloaded on the project's machines, so the test builds
 * a file with the layout @electron/fuses looks for in one (its dist/index.js: the sentinel string, then a
 * version byte, a length byte and one byte per fuse, '0'/'1'/'r'), runs the real script on it in a child
 * process and reads the wire back with the library's own getter.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedFuseStates, fuseConfig } from '../../../../src/main/electron/fuses.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const script = join(repoRoot, 'scripts', 'electron-fuses.mjs');
const dir = tempDir();
afterAll(() => dir.remove());

// From node_modules/@electron/fuses/dist/constants.js.
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const [off, on] = ['0'.charCodeAt(0), '1'.charCodeAt(0)];
// Nine fuses as Electron ships them: RunAsNode, NodeOptions, inspect args and file:// privileges on; cookie
// encryption, asar integrity, asar-only and the browser V8 snapshot off; wasm trap handlers on.
const shippedWire = [on, off, on, on, off, off, off, on, on];

/** Filler that cannot contain the sentinel (a byte pattern with no letters). */
function filler(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * 31 + seed) % 40));
}

function syntheticElectron(name: string, options: { version?: number; wire?: number[]; sentinel?: boolean } = {}): { path: string; bytes: Buffer; wireAt: number } {
  const wire = options.wire ?? shippedWire;
  const head = Buffer.concat([filler(70_001, 7), options.sentinel === false ? Buffer.alloc(0) : Buffer.from(SENTINEL, 'latin1')]);
  const bytes = Buffer.concat([head, Buffer.from([options.version ?? 1, wire.length, ...wire]), filler(50_003, 3)]);
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  return { path, bytes, wireAt: head.length + 2 };
}

function runScript(...args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { cwd: repoRoot, encoding: 'utf8' });
}

describe('the fuse configuration', () => {
  it('turns off Node mode, NODE_OPTIONS, --inspect and file:// privileges; turns on cookie encryption, asar-only and asar integrity', () => {
    const states = Object.fromEntries([...expectedFuseStates()].map(([index, state]) => [FuseV1Options[index], FuseState[state]]));
    expect(states).toEqual({
      RunAsNode: 'DISABLE',
      EnableNodeOptionsEnvironmentVariable: 'DISABLE',
      EnableNodeCliInspectArguments: 'DISABLE',
      GrantFileProtocolExtraPrivileges: 'DISABLE',
      EnableCookieEncryption: 'ENABLE',
      OnlyLoadAppFromAsar: 'ENABLE',
      EnableEmbeddedAsarIntegrityValidation: 'ENABLE',
    });
    expect(fuseConfig.version).toBe('1');
  });
});

describe('scripts/electron-fuses.mjs on a binary with a fuse wire', () => {
  it('sets exactly the configured fuses and leaves every other byte as it was', async () => {
    const { path, bytes, wireAt } = syntheticElectron('electron');
    const before = await getCurrentFuseWire(path);
    expect(before[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);

    const result = runScript(path);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Electron fuses set in ${path}.`);

    const after = (await getCurrentFuseWire(path)) as unknown as Record<number, FuseState>;
    const expected = expectedFuseStates();
    for (let index = 0; index < shippedWire.length; index++) {
      // Fuses the config does not name keep what the binary shipped with.
      expect(after[index], FuseV1Options[index]).toBe(expected.get(index) ?? shippedWire[index]);
    }
    const written = readFileSync(path);
    expect(written.length).toBe(bytes.length);
    expect(written.subarray(0, wireAt).equals(bytes.subarray(0, wireAt))).toBe(true);
    expect(written.subarray(wireAt + shippedWire.length).equals(bytes.subarray(wireAt + shippedWire.length))).toBe(true);

    // A second run (a repackage) is a no-op that still verifies.
    expect(runScript(path).status).toBe(0);
    expect(readFileSync(path).equals(written)).toBe(true);
  });

  it('runs as electron-builder afterPack on the packed Linux executable', async () => {
    const { path } = syntheticElectron('pdash-lab');
    const context = { appOutDir: dir.path, electronPlatformName: 'linux', packager: { appInfo: { productFilename: 'P-DASH Lab' }, executableName: 'pdash-lab' } };
    const code = `import afterPack from ${JSON.stringify(script)}; await afterPack(${JSON.stringify(context)});`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const after = (await getCurrentFuseWire(path)) as unknown as Record<number, FuseState>;
    expect(after[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
    expect(after[FuseV1Options.OnlyLoadAppFromAsar]).toBe(FuseState.ENABLE);
  });
});

describe('scripts/electron-fuses.mjs refuses what it cannot fuse', () => {
  it.each([
    ['no-sentinel', { sentinel: false }, 'Could not find sentinel'],
    ['wire-v2', { version: 2 }, 'does not match'],
    ['short-wire', { wire: [on, off, on] }, 'not long enough'],
  ])('%s: exit 1, a message naming the file, the file untouched', (name, options, reason) => {
    const { path, bytes } = syntheticElectron(name, options);
    const result = runScript(path);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Cannot set the Electron fuses in ${path}: `);
    expect(result.stderr).toContain(reason);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('fails when a fuse it must set is marked removed in the binary, rather than ship it unset', () => {
    const removed = 'r'.charCodeAt(0);
    const { path, bytes } = syntheticElectron('removed-fuse', { wire: [removed, ...shippedWire.slice(1)] });
    const result = runScript(path);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Electron fuse RunAsNode in ${path} is marked removed by this Electron; review src/main/electron/fuses.ts for it.`);
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('says how to call it when no binary is given', () => {
    const result = runScript();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Usage: node scripts/electron-fuses.mjs <path-to-electron-binary-or-.app>');
  });
});
