import { z } from 'zod';

/** The compute backends, best first by default (src/shared/engine/backends.ts says where each runs). */
export const BACKEND_NAMES = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A compute backend the engine can run on, as probed by a worker process. */
export const ComputeBackend = z.object({
  name: z.enum(BACKEND_NAMES),
  available: z.boolean(),
  /** Why it is unavailable, or what it offers (threads, SIMD, device). */
  detail: z.string(),
  /**
   * Median ms of the probe step (two small convolutions forward and backward) where it passed its smoke computation;
   * the default backend is the fastest. Absent from probes of older workers.
   */
  probeMs: z.number().nonnegative().nullable().optional(),
});
export type ComputeBackend = z.infer<typeof ComputeBackend>;

export const LabInfo = z.object({
  /** P-DASH Lab's version (package.json). */
  version: z.string(),
  /** Absolute path of the lab folder that holds lab.sqlite, datasets/, runs/ and reports/. */
  labDir: z.string(),
  /** Which front door serves this lab: the Electron app, web mode, or the CLI. */
  frontDoor: z.enum(['electron', 'web', 'cli']),
  /** Compute backends as the engine's worker found them, best first; `preferred` is the one a run would use. */
  compute: z.object({
    backends: z.array(ComputeBackend),
    preferred: z.string(),
    tfjsVersion: z.string(),
  }),
  sqliteVersion: z.string(),
  /** The lab database's schema version after migrations (PRAGMA user_version). */
  schemaVersion: z.number().int().nonnegative(),
  node: z.string(),
  platform: z.string(),
});
export type LabInfo = z.infer<typeof LabInfo>;

export const labChannels = {
  'lab/info': {
    summary: 'Version, lab folder, compute backends, SQLite and schema versions.',
    request: z.object({}).strict(),
    response: LabInfo,
  },
} as const;

export const labEvents = {} as const;
