/**
 * A transport carries contract requests and events between the renderer and the lab core. Two exist: the
 * Electron preload bridge (IPC) and the web-mode WebSocket. Everything above `createLabClient` sees only the
 * typed LabApi; everything below it deals in channel names and unknown payloads.
 */
import { LabError, isSerializedLabError } from '../../shared/errors.ts';

/**
 * connecting: the first attempt is under way. reconnecting: the connection dropped (or the first attempt
 * failed) and the transport is retrying. stopped: retries keep failing; the lab server has most likely stopped.
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

export type TransportKind = 'ipc' | 'websocket';

export interface LabTransport {
  readonly kind: TransportKind;
  /** Resolves with the core's response; rejects with a LabError. */
  request(channel: string, request: unknown): Promise<unknown>;
  /** Subscribes to every event the core sends; returns the function that unsubscribes. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
  status(): ConnectionStatus;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  /** Stops the transport for good; requests still waiting are cancelled. */
  close(): void;
}

/** Rebuilds a LabError from what a transport received as an error, keeping its code and hint. */
export function labErrorFromWire(error: unknown): LabError {
  if (isSerializedLabError(error)) return LabError.from(error);
  return new LabError(
    'internal',
    `The lab core answered with a malformed error: ${JSON.stringify(error)}.`,
    'This is a bug in P-DASH Lab; the lab log has the details.',
  );
}
