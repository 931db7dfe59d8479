import type { LabCore } from '../../src/main/core/index.ts';

/** Resolves when the core emits an event that `accept` returns true for (tests wait on events, never on time). */
export function nextEvent(core: LabCore, accept: (event: string, payload: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const stop = core.events.subscribe((event, payload) => {
      if (accept(event, payload as Record<string, unknown>)) {
        stop();
        resolve(payload as Record<string, unknown>);
      }
    });
  });
}
