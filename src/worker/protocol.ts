/**
 * The message protocol between the lab core and a worker process. The same messages travel over every host:
 * child_process.fork (CLI, web mode, tests), Electron's utilityProcess, and later remote workers. Messages are
 * plain JSON-compatible objects; the core validates what it receives with these schemas.
 */
import { z } from 'zod';
import { ComputeBackend } from '../shared/contract/lab.ts';

export const ComputeProbe = z.object({
  backends: z.array(ComputeBackend),
  preferred: z.string(),
  tfjsVersion: z.string(),
});
export type ComputeProbe = z.infer<typeof ComputeProbe>;

export const SerializedError = z.object({
  code: z.enum(['bad-request', 'unknown-channel', 'unauthorized', 'not-found', 'conflict', 'unavailable', 'cancelled', 'internal']),
  message: z.string(),
  hint: z.string().optional(),
});

/** Core -> worker. */
export const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('probe') }),
  z.object({ type: z.literal('shutdown') }),
]);
export type ToWorker = z.infer<typeof ToWorker>;

/** Worker -> core. */
export const FromWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), pid: z.number().int() }),
  z.object({ type: z.literal('probe-result'), probe: ComputeProbe }),
  z.object({ type: z.literal('error'), error: SerializedError }),
]);
export type FromWorker = z.infer<typeof FromWorker>;
