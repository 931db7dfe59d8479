import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { LabError } from '../../shared/errors.ts';

/** The folder name Electron gives `app.getPath('userData')` for this app, so that the CLI and the app share a lab. */
export const APP_FOLDER_NAME = 'pdash-lab';

export interface LabFolderSources {
  /** `--lab DIR` on the command line. */
  flag?: string | undefined;
  /** The environment, for `PDASH_LAB`. */
  env?: NodeJS.ProcessEnv;
  /** Electron's userData folder, when running inside the app. */
  electronUserData?: string | undefined;
  cwd?: string;
  platform?: NodeJS.Platform;
  home?: string;
}

/**
 * Where the lab lives: `--lab DIR`, else `PDASH_LAB`, else Electron's userData folder (or, outside Electron,
 * the folder Electron would use on this platform).
 */
export function resolveLabDir(sources: LabFolderSources = {}): string {
  const env = sources.env ?? process.env;
  const cwd = sources.cwd ?? process.cwd();
  const chosen = nonEmpty(sources.flag) ?? nonEmpty(env.PDASH_LAB) ?? nonEmpty(sources.electronUserData);
  if (chosen !== undefined) return isAbsolute(chosen) ? chosen : resolve(cwd, chosen);
  return defaultUserDataDir(sources.platform ?? process.platform, env, sources.home ?? homedir());
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/** The same folder Electron's app.getPath('userData') returns for an app named 'pdash-lab'. */
export function defaultUserDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, home: string): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), APP_FOLDER_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_FOLDER_NAME);
  return join(nonEmpty(env.XDG_CONFIG_HOME) ?? join(home, '.config'), APP_FOLDER_NAME);
}

/** The lab folder's layout (docs/ARCHITECTURE.md, "Data on disk"). */
export interface LabPaths {
  root: string;
  database: string;
  datasets: string;
  runs: string;
  reports: string;
  /** Files uploaded from a browser for an import, until the import uses them. */
  uploads: string;
}

export function labPaths(root: string): LabPaths {
  return {
    root,
    database: join(root, 'lab.sqlite'),
    datasets: join(root, 'datasets'),
    runs: join(root, 'runs'),
    reports: join(root, 'reports'),
    uploads: join(root, 'uploads'),
  };
}

/** Creates the lab folder and its subfolders if needed; refuses a path that exists but is not a folder. */
export function ensureLabFolder(root: string): LabPaths {
  const paths = labPaths(root);
  try {
    const stat = statSync(root, { throwIfNoEntry: false });
    if (stat !== undefined && !stat.isDirectory()) {
      throw new LabError('unavailable', `The lab path ${root} exists but is not a folder.`, 'Pass --lab with a folder path (it is created if missing).');
    }
    for (const dir of [paths.root, paths.datasets, paths.runs, paths.reports, paths.uploads]) mkdirSync(dir, { recursive: true });
  } catch (error) {
    if (error instanceof LabError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new LabError('unavailable', `Cannot create the lab folder ${root}: ${reason}`, 'Choose a writable folder with --lab DIR or PDASH_LAB.');
  }
  return paths;
}
