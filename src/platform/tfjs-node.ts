/**
 * What the worker (which loads the native TensorFlow packages) and `pdash setup native` (which builds them) both
 * need to know about `@tensorflow/tfjs-node` / `@tensorflow/tfjs-node-gpu`, without loading them or TF.js.
 */
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';

/** The native package of each variant: 'cpu' is libtensorflow for the CPU, 'gpu' the CUDA build. */
export const TFJS_NODE_PACKAGES = { cpu: '@tensorflow/tfjs-node', gpu: '@tensorflow/tfjs-node-gpu' } as const;
export type NativeVariant = keyof typeof TFJS_NODE_PACKAGES;

type RemovedUtil = { isNullOrUndefined?: (value: unknown) => boolean; isArray?: (value: unknown) => boolean };

/**
 * tfjs-node 4.22 calls `util.isNullOrUndefined` and `util.isArray`, which Node 23 removed: on Node 24 the package
 * loads but every op throws "util.isNullOrUndefined is not a function". Restores the two (with their documented
 * meaning) only where they are missing (or, for isArray, only Node's warning wrapper is there), before the package
 * is required. Returns the names it restored.
 */
export function restoreUtilForTfjsNode(): string[] {
  const target = util as unknown as RemovedUtil;
  const restored: string[] = [];
  if (typeof target.isNullOrUndefined !== 'function') {
    target.isNullOrUndefined = (value) => value === null || value === undefined;
    restored.push('isNullOrUndefined');
  }
  // Node 22-24 still have util.isArray, deprecated: it prints DEP0044 to the worker's stderr on first use. The same
  // function without the warning replaces Node's own deprecated wrapper (util.deprecate names its wrapper 'deprecated').
  if (typeof target.isArray !== 'function' || target.isArray.name === 'deprecated') {
    target.isArray = Array.isArray;
    restored.push('isArray');
  }
  return restored;
}

export interface TfjsNodeBinding {
  /** The binding file the package requires (`<module_path>/<module_name>.node`). */
  file: string;
  moduleName: string;
  /** The folder node-gyp copies the binding into (its --module_path). */
  moduleDir: string;
  napiVersion: number;
}

/**
 * Where the package's native binding lives: node-pre-gyp's `module_path` (`./lib/napi-v{napi_build_version}`) for
 * the highest N-API version the package lists that this Node supports, as node-pre-gyp's `find` chooses it.
 */
export function tfjsNodeBinding(packageDir: string, packageJson: unknown, nodeNapiVersion: number): TfjsNodeBinding {
  const binary = (packageJson as { binary?: { module_name?: unknown; module_path?: unknown; napi_versions?: unknown } }).binary;
  const moduleName = binary?.module_name;
  const modulePath = binary?.module_path;
  const versions = binary?.napi_versions;
  if (typeof moduleName !== 'string' || typeof modulePath !== 'string' || !Array.isArray(versions)) {
    throw new Error(`${packageDir}/package.json has no node-pre-gyp "binary" section (module_name, module_path, napi_versions)`);
  }
  const usable = versions.filter((v): v is number => typeof v === 'number' && v <= nodeNapiVersion);
  if (usable.length === 0) throw new Error(`${packageDir}: the binding needs N-API ${versions.join('/')}, this Node has ${nodeNapiVersion}`);
  const napiVersion = Math.max(...usable);
  const moduleDir = path.join(packageDir, modulePath.replaceAll('{napi_build_version}', String(napiVersion)));
  return { file: path.join(moduleDir, `${moduleName}.node`), moduleName, moduleDir, napiVersion };
}

/** The binding of an installed package folder (reads its package.json) for this Node. */
export function installedBinding(packageDir: string): TfjsNodeBinding {
  const packageJson: unknown = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  return tfjsNodeBinding(packageDir, packageJson, Number(process.versions.napi));
}
