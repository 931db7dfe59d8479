/**
 * The lab core's public entry: what the front doors (the pdash CLI, web mode, the Electron shell) use. Everything
 * else in src/main/core is the core's own; the handlers behind `LabCore.request` are reached through the contract.
 */
export { LabCore, type LabCoreOptions } from './lab-core.ts';
export type { FrontDoor, LabServices } from './lab-services.ts';
export { resolveLabDir } from './lab-folder.ts';
export { labVersion } from './version.ts';
export { ARCHITECTURE_FORMATS, exportArchitecture, type ArchitectureFormat } from './export/architecture/architecture-export.ts';
export { exportReport, REPORT_FORMATS, type ReportFormat } from './export/report-export.ts';
export type { ExportedFile } from './export/exported-file.ts';
export { describeCapacity, type RunCapacity } from './runs/capacity.ts';
export { ForkWorkerHost, HostedWorker, parseWorkerMessage, type WorkerExit, type WorkerHost, type WorkerProcess, type WorkerStartOptions } from './runs/worker-host.ts';
export { sweepStaleUploads, uploadLimitsFromEnv } from './datasets/uploads.ts';
export { formatDoctor, runDoctor, type DoctorInput, type DoctorReport, type Finding } from './doctor.ts';
export { BrowserWorkerHost, type BrowserWorkerHostOptions, type WebgpuAdapterChoice } from './runs/browser-host.ts';
