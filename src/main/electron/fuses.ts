/**
 * Electron fuses: switches compiled into the Electron binary that the packaged app flips once, at packaging time
 * (scripts/electron-fuses.mjs, docs/PACKAGING.md). Unlike command-line switches they cannot be undone by whoever
 * starts the app. Not imported by the app itself: only the packaging step and its test use it.
 */
import { flipFuses, FuseState, FuseV1Options, FuseVersion, getCurrentFuseWire, type FuseV1Config } from '@electron/fuses';

export const fuseConfig = {
  version: FuseVersion.V1,
  // ELECTRON_RUN_AS_NODE=1 would turn the signed app binary into a plain Node that runs any script with the
  // app's identity and permissions. The lab needs no Node mode: workers run in utilityProcess.
  [FuseV1Options.RunAsNode]: false,
  // Cookies and other network state in the profile are encrypted with the OS keychain key, so another local
  // program cannot lift them from disk. One way: turning it off later would lose the encrypted cookies.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS (e.g. --require evil.js) would inject code into the main process at start-up.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect / --inspect-brk would open a debugger into the main process, which holds the lab and its files.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // macOS and Windows check app.asar against the hash the packager embeds, so a modified asar does not load
  // (Linux has no validation yet; the fuse is ignored there). Needs a packager that embeds the hash.
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // Load the app only from app.asar, not from a loose resources/app folder someone could drop next to it;
  // together with the integrity check this pins the code that runs.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The app is served from app://pdash/ (app-protocol.ts); file:// pages need none of their extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} satisfies FuseV1Config;

/** The fuses fuseConfig sets, by index in the wire, with the state each must have afterwards. */
export function expectedFuseStates(): Map<number, FuseState> {
  const expected = new Map<number, FuseState>();
  for (const [key, value] of Object.entries(fuseConfig)) {
    if (key === 'version') continue;
    expected.set(Number(key), value ? FuseState.ENABLE : FuseState.DISABLE);
  }
  return expected;
}

/**
 * Flips the fuses of the Electron binary at `binaryPath` (on macOS the .app bundle) and reads them back; throws
 * an error naming the file and the fuse when any did not take, so a packaging run cannot ship an unfused app.
 */
export async function applyFuses(binaryPath: string): Promise<void> {
  const fail = (error: unknown): Error => new Error(`Cannot set the Electron fuses in ${binaryPath}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  let wire: Record<number, FuseState | undefined>;
  try {
    wire = (await getCurrentFuseWire(binaryPath)) as unknown as Record<number, FuseState | undefined>;
  } catch (error) {
    throw fail(error);
  }
  // The library only warns and overwrites a fuse Electron has removed, which Electron then ignores: stop so that
  // someone decides what the new Electron means by it instead of shipping a fuse that does nothing.
  for (const index of expectedFuseStates().keys()) {
    if (wire[index] === FuseState.REMOVED) {
      throw new Error(`Electron fuse ${FuseV1Options[index]} in ${binaryPath} is marked removed by this Electron; review src/main/electron/fuses.ts for it.`);
    }
  }
  try {
    await flipFuses(binaryPath, fuseConfig);
  } catch (error) {
    throw fail(error);
  }
  wire = (await getCurrentFuseWire(binaryPath)) as unknown as Record<number, FuseState | undefined>;
  for (const [index, state] of expectedFuseStates()) {
    if (wire[index] !== state) {
      const found = wire[index] === undefined ? 'missing' : (FuseState[wire[index]] ?? String(wire[index]));
      throw new Error(`Electron fuse ${FuseV1Options[index]} in ${binaryPath} is ${found} after flipping, expected ${FuseState[state]}.`);
    }
  }
}
