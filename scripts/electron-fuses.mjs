#!/usr/bin/env node
/**
 * Flips the packaged app's Electron fuses (src/main/electron/fuses.ts says which and why) and checks them by
 * reading them back. Two ways in (docs/PACKAGING.md):
 *
 *   node scripts/electron-fuses.mjs <path-to-electron-binary-or-.app>     (npm run fuses -- <path>)
 *   electron-builder: "afterPack": "scripts/electron-fuses.mjs"           (the default export below)
 *
 * It must run after the app is copied next to the binary and before code signing: flipping changes the binary.
 */
import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyFuses, fuseConfig } from '../src/main/electron/fuses.ts';

export { fuseConfig };

/** The Electron binary electron-builder has just packed, from its afterPack context. */
export function packedBinaryPath(context) {
  const name = context.packager.appInfo.productFilename;
  switch (context.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(context.appOutDir, `${name}.app`);
    case 'win32':
      return join(context.appOutDir, `${name}.exe`);
    default:
      return join(context.appOutDir, context.packager.executableName ?? name);
  }
}

/** electron-builder's afterPack hook. */
export default async function afterPack(context) {
  await applyFuses(packedBinaryPath(context));
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error('Usage: node scripts/electron-fuses.mjs <path-to-electron-binary-or-.app>');
    return 1;
  }
  try {
    await applyFuses(argv[0]);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
  console.log(`Electron fuses set in ${argv[0]}.`);
  return 0;
}

// Run as a command (not imported as a hook); argv[1] may name the file through a symlink.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
