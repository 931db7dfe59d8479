/**
 * The worker's public entry for the processes that host workers (the lab core, the Electron shell): the message
 * protocol they speak and the checkpoint files a worker writes. src/worker/main.ts is the process entry itself.
 */
export * from './checkpoint-file.ts';
export * from './protocol.ts';
