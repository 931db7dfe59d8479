import { processAlive } from '../../src/platform/process-alive.ts';

/** Resolves once the process is gone: waits on the condition, polling each turn of the event loop, never on a timer. */
export function processGone(pid: number): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (processAlive(pid)) setImmediate(check);
      else resolve();
    };
    check();
  });
}
