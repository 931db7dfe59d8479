/**
 * The worker's side of its host: Node's IPC channel under child_process.fork, or Electron's
 * process.parentPort under utilityProcess. The worker never imports electron; it only finds the port.
 */
import type { FromWorker } from './protocol.ts';

interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

export interface ParentPort {
  post(message: FromWorker): void;
  onMessage(listener: (raw: unknown) => void): void;
}

export function connectParentPort(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort !== undefined) {
    return {
      post: (message) => electronPort.postMessage(message),
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (send === undefined) {
    throw new Error('The P-DASH worker must be started by the lab core (child_process.fork or utilityProcess), not directly.');
  }
  return {
    post: (message) => {
      send(message);
    },
    onMessage: (listener) => {
      process.on('message', listener);
    },
  };
}
