/**
 * What the handlers and the exporters use of an open lab: its parts (paths, the registry, the log, the runs), not
 * the LabCore that assembles them. lab-core.ts builds the handlers, so if they imported LabCore the two would
 * import each other; this narrow interface keeps the dependency one way (LabCore implements it).
 */
import type { ComputeProbe } from '../../worker/index.ts';
import type { DatasetRegistry } from './datasets/registry.ts';
import type { LabEvents } from './events.ts';
import type { LabPaths } from './lab-folder.ts';
import type { ExperimentLog } from './log/experiment-log.ts';
import type { RunService } from './runs/run-service.ts';

/** Which front door opened the lab. */
export type FrontDoor = 'electron' | 'web' | 'cli';

export interface LabServices {
  readonly paths: LabPaths;
  readonly frontDoor: FrontDoor;
  readonly schemaVersion: number;
  readonly sqliteVersion: string;
  readonly events: LabEvents;
  readonly datasets: DatasetRegistry;
  readonly log: ExperimentLog;
  readonly runs: RunService;
  /** The folder relative file paths in requests are resolved against. */
  readonly cwd: string;
  /** Prints HTML to PDF where the front door can (Electron's printToPDF); otherwise undefined. */
  readonly printPdf: ((html: string) => Promise<Uint8Array>) | undefined;
  /** The backends a Node worker starts, measured (the queue's capacity and 'auto' runs use it; no browser is launched). */
  compute(): Promise<ComputeProbe>;
  /** compute() and, where the lab has a browser host, the backends a Chromium page starts (webgpu): for lab/info. */
  computeAll(): Promise<ComputeProbe>;
}
