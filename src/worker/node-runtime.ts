/**
 * Node specifics of the compute runtime, kept out of the engine: loading the optional native TensorFlow
 * packages, pointing the wasm backend at its binaries and making its threads start in Node.
 *
 * Native packages: `@tensorflow/tfjs-node-gpu` / `@tensorflow/tfjs-node` are optional dependencies whose install
 * downloads libtensorflow, so they are looked up at run time and never required up front. Each depends on its
 * own copy of tfjs-core through `@tensorflow/tfjs`; it registers the 'tensorflow' backend on that copy. The
 * engine can only use it when that copy is the very module instance the engine imports (npm dedupes them when
 * the versions match). When it is not, the backend is reported unavailable with both paths instead of loading
 * a second tfjs whose tensors the engine could not use. Where npm installed a package but its install script could
 * not fetch libtensorflow, the binding file is missing: that is reported without requiring the package (a partial
 * load would register its kernels for 'tensorflow' and the working package's would then warn on every one).
 * tfjs-node 4.22 needs two `util` functions Node 23 removed (src/platform/tfjs-node.ts restores them). `pdash setup
 * native` builds the binding from TensorFlow's Python wheel where the download is blocked (src/cli/native-setup.ts).
 *
 * wasm threads: the threaded build starts its pthread workers from Blob URLs, which Node's worker_threads
 * refuses, and sizes its thread pool as cpus/2 (assuming hyper-threading). During initialisation only, the
 * Blob constructor and URL.createObjectURL are wrapped so that the worker script and the main script are
 * written to temporary files and their paths handed over, and os.cpus() reports twice the requested thread
 * count. Everything is restored right after; the files are removed when the process exits.
 */
import fs from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { installedBinding, restoreUtilForTfjsNode } from '../platform/tfjs-node.ts';
import {
  cpuLoader,
  initBackend,
  messageOf,
  probeBackends,
  smokeComputation,
  type BackendLoader,
  type BackendName,
  type BackendProbeResult,
  type BackendReport,
  type LoadedBackend,
} from './engine/index.ts';

const require = createRequire(import.meta.url);

/** tfjs-backend-wasm sizes its pthread pool at 8 workers; more threads cannot start. */
const WASM_MAX_THREADS = 8;

export async function setupNodeRuntime(options: { backend?: BackendName; threads?: number } = {}): Promise<BackendReport> {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new Error(`setupNodeRuntime: threads must be a positive integer, got ${options.threads}`);
  }
  await loadCoreGradients();
  return initBackend(nodeBackendLoaders(), options);
}

let coreGradients: Promise<void> | null = null;

/**
 * Registers tfjs-core's standard gradients and the chained tensor methods some of them use, which its entry
 * point leaves out (the full @tensorflow/tfjs package imports them). They ship only as ES modules with extensionless relative imports
 * (dist/register_all_gradients.js -> './gradients/Abs_grad'), which Node's loader refuses; a resolve hook,
 * active only while they load and only for files inside tfjs-core's dist folder, adds the '.js'. Those modules
 * register into tfjs's global registries, shared by every copy of tfjs-core in the process. No-op when some
 * other import already registered them.
 */
export function loadCoreGradients(): Promise<void> {
  const haveGradients = (): boolean => tf.getGradient('Sum') !== undefined;
  const haveChainedOps = (): boolean => 'reshape' in tf.Tensor.prototype;
  if (haveGradients() && haveChainedOps()) return Promise.resolve();
  coreGradients ??= (async () => {
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist') + path.sep;
    const distUrl = pathToFileURL(dist).href;
    const hooks = registerHooks({
      resolve(specifier, context, nextResolve) {
        if (context.parentURL?.startsWith(distUrl) === true && specifier.startsWith('.') && !specifier.endsWith('.js')) {
          try {
            return nextResolve(`${specifier}.js`, context);
          } catch {
            return nextResolve(`${specifier}/index.js`, context);
          }
        }
        return nextResolve(specifier, context);
      },
    });
    try {
      if (!haveGradients()) await import(pathToFileURL(path.join(dist, 'register_all_gradients.js')).href);
      // Some of those gradients call chained methods (x.reshape(...)), also left out of the entry point.
      if (!haveChainedOps()) await import(pathToFileURL(path.join(dist, 'public', 'chained_ops', 'register_all_chained_ops.js')).href);
    } finally {
      hooks.deregister();
    }
    if (!haveGradients()) throw new Error(`loading ${dist}register_all_gradients.js registered no gradients`);
  })();
  coreGradients.catch(() => {
    coreGradients = null;
  });
  return coreGradients;
}

export type BackendProbe = BackendProbeResult;

/**
 * Tries each backend a Node worker can start, best first, without changing the active one: loading the native
 * packages is the real test of whether libtensorflow is present, and each backend that loads must pass the smoke
 * computation and is timed on the probe step (engine/runtime/backend.ts); the preferred one is the fastest.
 * Backends only a Chromium page can start (webgpu) are probed by the browser host, not here.
 */
export async function probeNodeBackends(): Promise<BackendProbe> {
  await loadCoreGradients();
  return probeBackends(nodeBackendLoaders());
}

export function nodeBackendLoaders(): BackendLoader[] {
  return [nativeLoader('tensorflow-gpu', '@tensorflow/tfjs-node-gpu'), nativeLoader('tensorflow', '@tensorflow/tfjs-node'), wasmLoader, cpuLoader];
}

// ---------------------------------------------------------------------------------------------------------
// Native TensorFlow (optional packages)

/** The file the engine's `import '@tensorflow/tfjs-core'` resolves to. */
function engineCorePath(): string {
  return require.resolve('@tensorflow/tfjs-core');
}

function nativeLoader(name: 'tensorflow-gpu' | 'tensorflow', packageName: string): BackendLoader {
  return {
    name,
    load: async ({ threads: requested }): Promise<LoadedBackend> => {
      let entry: string;
      try {
        entry = require.resolve(packageName);
      } catch {
        throw new Error(
          `${packageName} is not installed (optional dependency; its install downloads libtensorflow, which needs internet access${name === 'tensorflow-gpu' ? ' and CUDA' : ''}; ` +
            `'pdash setup native${name === 'tensorflow-gpu' ? ' --gpu' : ''}' builds it from TensorFlow's Python wheel instead)`,
        );
      }
      const theirCore = createRequire(entry).resolve('@tensorflow/tfjs-core');
      if (theirCore !== engineCorePath()) {
        throw new Error(
          `${packageName} uses its own tfjs-core (${theirCore}), not the engine's (${engineCorePath()}); ` +
            `its backend would live in a different tfjs instance. Install matching versions and run npm dedupe`,
        );
      }
      const loadedVersion = (require(`${packageName}/package.json`) as { version: string }).version;
      const setupCommand = `pdash setup native${name === 'tensorflow-gpu' ? ' --gpu' : ''}`;
      const binding = installedBinding(path.dirname(require.resolve(`${packageName}/package.json`))).file;
      if (!fs.existsSync(binding)) {
        throw new Error(
          `${packageName} ${loadedVersion} is installed without its native binding (${binding}): its install could not download libtensorflow. ` +
            `Run '${setupCommand}' to build it from TensorFlow's Python wheel`,
        );
      }
      // libtensorflow sizes its intra-op pool from this variable when it starts (TensorFlow's process_util.cc), so
      // concurrent runs share the cores instead of each taking all of them.
      if (requested !== undefined) process.env.TF_NUM_INTRAOP_THREADS = String(requested);
      restoreUtilForTfjsNode();
      try {
        require(packageName);
      } catch (error) {
        throw new Error(`${packageName} ${loadedVersion} is installed but failed to load its native library: ${messageOf(error)}. Run '${setupCommand}' to rebuild it`);
      }
      if (tf.findBackendFactory('tensorflow') == null) {
        throw new Error(`${packageName} loaded but registered no 'tensorflow' backend with the engine's tfjs-core`);
      }
      const threads = requested ?? os.availableParallelism();
      await onNativeBackend(async () => {
        try {
          await smokeComputation();
        } catch (error) {
          throw new Error(`${packageName} ${loadedVersion} is installed and loaded, but an op on it failed: ${messageOf(error)}. Run '${setupCommand}' to check and rebuild it`);
        }
        if (name === 'tensorflow-gpu' && !nativeUsesGpu()) throw new Error(`${packageName} ${loadedVersion} loaded but TensorFlow found no usable GPU`);
      });
      return { tfjsName: 'tensorflow', threads, simd: true, detail: `${packageName} ${loadedVersion} (libtensorflow${name === 'tensorflow-gpu' ? ', CUDA' : ''})` };
    },
  };
}

/** Runs `check` with the native backend selected, then selects the backend that was active before. */
async function onNativeBackend(check: () => Promise<void>): Promise<void> {
  const previous = tf.getBackend();
  try {
    if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') returned false");
    await check();
  } finally {
    if (previous !== undefined && previous !== tf.getBackend()) await tf.setBackend(previous);
  }
}

/** Asks the native binding (tfjs-node's `isUsingGpuDevice`) whether TensorFlow placed work on a GPU. */
function nativeUsesGpu(): boolean {
  const backend = tf.backend() as unknown as { binding?: { isUsingGpuDevice?: () => boolean } };
  return backend.binding?.isUsingGpuDevice?.() === true;
}

// ---------------------------------------------------------------------------------------------------------
// wasm

interface WasmModule {
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
  setWasmPaths(prefix: string): void;
  version_wasm: string;
}

let wasmInit: Promise<LoadedBackend> | null = null;
let wasmRequestedThreads: number | null = null;

const wasmLoader: BackendLoader = {
  name: 'wasm',
  load: async ({ threads }): Promise<LoadedBackend> => {
    const requested = Math.min(threads ?? os.availableParallelism(), WASM_MAX_THREADS);
    if (wasmInit === null) {
      wasmRequestedThreads = requested;
      wasmInit = initWasm(requested);
      wasmInit.catch(() => {
        wasmInit = null;
      });
    }
    const loaded = await wasmInit;
    if (threads !== undefined && wasmRequestedThreads !== requested) {
      return { ...loaded, detail: `${loaded.detail} (thread count fixed by an earlier initialisation in this process)` };
    }
    return loaded;
  },
};

async function initWasm(threads: number): Promise<LoadedBackend> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as WasmModule;
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(path.dirname(entry) + path.sep);
  const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  const threadsPossible = simd === true && threads > 1 && typeof SharedArrayBuffer === 'function';
  let restore: (() => void) | null = null;
  if (threadsPossible) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(threads);
    restore = installPthreadWorkaround(entry, threads);
  } else {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  }
  try {
    // Initialise now, under the workaround; setBackend in initBackend then finds it ready.
    const previous = tf.getBackend();
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('the wasm backend failed to initialise');
    if (previous !== undefined && previous !== 'wasm') await tf.setBackend(previous);
  } finally {
    restore?.();
  }
  if (threadsPossible) unrefPthreadWorkers();
  const actual = wasm.getThreadsCount();
  const build = threadsPossible ? 'threaded SIMD build' : simd === true ? 'SIMD build' : 'plain build';
  return {
    tfjsName: 'wasm',
    threads: actual,
    simd: simd === true,
    detail: `tfjs-backend-wasm ${wasm.version_wasm}, ${build}, ${actual} thread${actual === 1 ? '' : 's'}`,
  };
}

/**
 * Emscripten ref()s the worker of every running pthread, as a C program's threads keep it alive. XNNPACK's
 * pool threads only ever wait for work, so they must not keep Node's event loop alive after the last task.
 */
function unrefPthreadWorkers(): void {
  const backend = tf.findBackend('wasm') as unknown as { wasm?: { PThread?: { runningWorkers?: Array<{ unref?: () => void }> } } } | null;
  for (const worker of backend?.wasm?.PThread?.runningWorkers ?? []) worker.unref?.();
}

/** See the module comment. Returns the function that undoes the patches. */
function installPthreadWorkaround(wasmEntry: string, threads: number): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdash-wasm-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  // The main script refers to the bundle's Node requires by their bundler names (require$$0 = fs, ...).
  const bundleHead = fs.readFileSync(wasmEntry, 'utf8').slice(0, 4000);
  const requireAliases = [...bundleHead.matchAll(/var (require\$\$\d+) = require\('([^']+)'\);/g)]
    .map((m) => `var ${m[1]} = require(${JSON.stringify(m[2])});`)
    .join('\n');
  const texts = new WeakMap<Blob, string>();
  let mainScript: string | null = null;
  let workerCount = 0;
  const OriginalBlob = globalThis.Blob;
  const originalCreateObjectURL = URL.createObjectURL;
  const originalCpus = os.cpus;

  class RecordingBlob extends OriginalBlob {
    constructor(parts: ConstructorParameters<typeof Blob>[0] = [], options?: ConstructorParameters<typeof Blob>[1]) {
      super(parts, options);
      if (!parts.every((p) => typeof p === 'string')) return;
      const text = parts.join('');
      texts.set(this, text);
      if (text.startsWith('var WasmBackendModuleThreadedSimd')) {
        mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
        fs.writeFileSync(mainScript, `var commonjsGlobal = globalThis;\n${requireAliases}\n${text}`);
      }
    }
  }
  globalThis.Blob = RecordingBlob;
  URL.createObjectURL = (object: Blob): string => {
    const text = object instanceof OriginalBlob ? texts.get(object) : undefined;
    if (text === undefined || mainScript === null) return originalCreateObjectURL(object);
    // A pthread worker script: inside the worker, the main script "blob" it is sent resolves to our file.
    const file = path.join(dir, `pthread-worker-${workerCount++}.js`);
    const prelude = `URL.createObjectURL = function () { return ${JSON.stringify(mainScript)}; }; URL.revokeObjectURL = function () {};\n`;
    fs.writeFileSync(file, prelude + text);
    return file;
  };
  os.cpus = () => {
    const cpus = originalCpus();
    const first = cpus[0];
    return first === undefined ? cpus : Array.from({ length: 2 * threads }, () => first);
  };
  return () => {
    globalThis.Blob = OriginalBlob;
    URL.createObjectURL = originalCreateObjectURL;
    os.cpus = originalCpus;
  };
}
