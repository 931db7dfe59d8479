/**
 * How the engine page reaches its host. Protocol messages travel over a bridge the host installs in the page
 * before its script runs (`globalThis.pdashEngineBridge`: Playwright's binding in the browser host, the preload's
 * contextBridge in Electron's hidden window). Bytes (dataset ranges, checkpoints, usage) travel either over HTTP
 * to the host's localhost server (the browser host: the page URL names the data base, behind a per-page token) or
 * over the bridge's `request` (Electron, whose app:// page may connect to nothing else).
 */
import { isSerializedLabError, LabError } from '../../shared/errors.ts';
import type { FromWorker } from '../protocol.ts';
import type { WorkerUsage } from '../job-runner.ts';
import { isPageReply, type PageRequest } from './page-protocol.ts';

export interface EngineBridge {
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Electron only: a data request answered by the host (page-protocol.ts). */
  request?(request: PageRequest): Promise<unknown>;
}

export interface HostLink {
  post(message: FromWorker): void;
  onMessage(listener: (raw: unknown) => void): void;
  /** The byte size of one of the job's files (by the name the job's dataset gives it). */
  fileSize(file: string): Promise<number>;
  /** Bytes [offset, offset + length) of one of the job's files. */
  readRange(file: string, offset: number, length: number): Promise<Uint8Array>;
  writeCheckpoint(bytes: Uint8Array): Promise<void>;
  /** The checkpoint's bytes, checked by the host; a LabError (not-found, conflict) otherwise. */
  readCheckpoint(): Promise<Uint8Array>;
  usage(): Promise<WorkerUsage>;
}

export function findBridge(): EngineBridge {
  const bridge = (globalThis as { pdashEngineBridge?: EngineBridge }).pdashEngineBridge;
  if (bridge === undefined) {
    throw new Error('The P-DASH engine page must be opened by the lab (its browser host or the app), which installs its message bridge; it cannot run on its own.');
  }
  return bridge;
}

/** Rebuilds the LabError a host answered with, or a plain one for anything else. */
function hostError(status: number, body: string, what: string): Error {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (isSerializedLabError(parsed)) return LabError.from(parsed);
  } catch {
    // not JSON: the host's text is the message (below)
  }
  return new LabError('unavailable', `The engine page could not ${what}: the host answered ${status} ${body.slice(0, 200)}`);
}

/** Data over HTTP: `${base}/file/<name>`, `${base}/checkpoint`, `${base}/usage`; the base carries the page's token. */
export function httpHostLink(bridge: EngineBridge, base: string): HostLink {
  const fileUrl = (file: string): string => `${base}/file/${encodeURIComponent(file)}`;
  return {
    post: (message) => bridge.post(message),
    onMessage: (listener) => bridge.onMessage(listener),
    fileSize: async (file) => {
      const response = await fetch(fileUrl(file), { method: 'HEAD' });
      if (!response.ok) throw hostError(response.status, '', `read ${file}`);
      return Number(response.headers.get('Content-Length'));
    },
    readRange: async (file, offset, length) => {
      if (length === 0) return new Uint8Array(0);
      const response = await fetch(fileUrl(file), { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
      if (response.status !== 206) throw hostError(response.status, await response.text(), `read bytes ${offset}-${offset + length - 1} of ${file}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (bytes.length !== length) throw new LabError('bad-request', `${file}: asked for ${length} bytes at ${offset}, the host sent ${bytes.length}`, 'The file is truncated; import the dataset again.');
      return bytes;
    },
    writeCheckpoint: async (bytes) => {
      const response = await fetch(`${base}/checkpoint`, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> });
      if (!response.ok) throw hostError(response.status, await response.text(), 'save the checkpoint');
    },
    readCheckpoint: async () => {
      const response = await fetch(`${base}/checkpoint`);
      if (!response.ok) throw hostError(response.status, await response.text(), 'read the checkpoint');
      return new Uint8Array(await response.arrayBuffer());
    },
    usage: async () => {
      const response = await fetch(`${base}/usage`);
      if (!response.ok) throw hostError(response.status, await response.text(), 'read its usage');
      return (await response.json()) as WorkerUsage;
    },
  };
}

/** Data over the bridge's request (Electron's hidden window). */
export function bridgeHostLink(bridge: EngineBridge & Required<Pick<EngineBridge, 'request'>>): HostLink {
  const ask = async (request: PageRequest): Promise<unknown> => {
    const reply = await bridge.request(request);
    if (!isPageReply(reply)) throw new LabError('internal', `The host answered a ${request.op} request with something that is not a reply.`);
    if (!reply.ok) throw LabError.from(reply.error);
    return reply.value;
  };
  return {
    post: (message) => bridge.post(message),
    onMessage: (listener) => bridge.onMessage(listener),
    fileSize: async (file) => Number(await ask({ op: 'size', file })),
    readRange: async (file, offset, length) => (await ask({ op: 'read', file, offset, length })) as Uint8Array,
    writeCheckpoint: async (bytes) => void (await ask({ op: 'write-checkpoint', bytes })),
    readCheckpoint: async () => (await ask({ op: 'read-checkpoint' })) as Uint8Array,
    usage: async () => (await ask({ op: 'usage' })) as WorkerUsage,
  };
}
