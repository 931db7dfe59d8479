/**
 * Test-only backend setup for engine unit tests, through the worker's own runtime (which also registers the
 * engine's gradient fills for dilated convs): wasm single-threaded, so results do not depend on the machine's core
 * count and test files can run in parallel; the cpu backend when wasm cannot start (30-80x slower). tfjs's
 * standard gradients are registered here because the tfjs-core entry point does not register them.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { setupNodeRuntime } from '../../../../../src/worker/node-runtime.ts';

let ready: Promise<unknown> | null = null;

async function start(): Promise<void> {
  try {
    await setupNodeRuntime({ backend: 'wasm', threads: 1 });
  } catch (error) {
    console.warn(`wasm backend unavailable for engine tests, using cpu: ${error instanceof Error ? error.message : String(error)}`);
    await setupNodeRuntime({ backend: 'cpu' });
  }
}

export async function useTestBackend(): Promise<void> {
  ready ??= start();
  await ready;
}
