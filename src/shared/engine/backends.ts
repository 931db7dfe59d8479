/**
 * The compute backends the engine can run on, by the names the lab records with each run. Two hosts start
 * them: a Node worker process (tensorflow-gpu and tensorflow through the optional tfjs-node packages, wasm,
 * cpu) and a Chromium page (webgpu; also wasm and cpu there). ARCHITECTURE.md's compute section says where each
 * comes from; the default is the fastest one that passes its smoke computation.
 */
import { BACKEND_NAMES, type BackendName } from '../contract/index.ts';

export { BACKEND_NAMES, type BackendName };

/** The order backends are tried in when nothing was measured yet: a GPU first, then native CPU, then wasm, then pure JS. */
export const BACKEND_PREFERENCE: readonly BackendName[] = BACKEND_NAMES;

/** Backends that need a Chromium page (no Node worker can start them). */
export const BROWSER_ONLY_BACKENDS: readonly BackendName[] = ['webgpu'];

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_NAMES as readonly string[]).includes(value);
}
