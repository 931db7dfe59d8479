/**
 * The web-mode transport: contract requests over one WebSocket to `pdash serve`, reconnecting with backoff.
 *
 * It takes the socket factory as a parameter so that the same code runs in the browser (the DOM WebSocket)
 * and in tests (Node's WebSocket against a real `ws` server); it uses no DOM-only API itself.
 */
import { LabError } from '../../shared/errors.ts';
import type { WireRequest } from '../../shared/rpc.ts';
import { labErrorFromWire, type ConnectionStatus, type LabTransport } from './transport.ts';

/** The part of the browser WebSocket this transport uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;
/** The close code of a server that shuts down (RFC 6455 "going away"); `pdash serve` sends it when it stops. */
const GOING_AWAY = 1001;

export interface ReconnectPolicy {
  /** Delay before the first retry; each further failure doubles it, up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** After this many failed attempts in a row the status turns from 'reconnecting' to 'stopped' (retries go on). */
  attemptsBeforeStopped: number;
}

export const defaultReconnectPolicy: ReconnectPolicy = { initialDelayMs: 500, maxDelayMs: 10_000, attemptsBeforeStopped: 5 };

export interface WebSocketTransportOptions {
  /** ws(s)://host/rpc?token=... */
  url: string;
  createSocket: (url: string) => WebSocketLike;
  reconnect?: ReconnectPolicy;
}

interface PendingRequest {
  channel: string;
  /** The serialised WireRequest, sent once the socket is open. */
  frame: string;
  sent: boolean;
  resolve(response: unknown): void;
  reject(error: LabError): void;
}

/** Where the lab server is, for messages: host and port without the token. */
function serverAddress(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

export function createWebSocketTransport(options: WebSocketTransportOptions): LabTransport {
  const policy = options.reconnect ?? defaultReconnectPolicy;
  const address = serverAddress(options.url);
  const pending = new Map<number, PendingRequest>();
  const eventListeners = new Set<(event: string, payload: unknown) => void>();
  const statusListeners = new Set<(status: ConnectionStatus) => void>();

  let socket: WebSocketLike | null = null;
  let status: ConnectionStatus = 'connecting';
  let everConnected = false;
  let failedAttempts = 0;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let nextId = 1;
  let closed = false;

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return;
    status = next;
    for (const listener of statusListeners) listener(next);
  }

  function connectionLostError(channel: string): LabError {
    const what = everConnected
      ? `The lab server at ${address} stopped or the connection to it dropped before it answered '${channel}'.`
      : `Cannot reach the lab server at ${address} to send '${channel}'.`;
    return new LabError(
      'unavailable',
      what,
      'If `pdash serve` is still running, this page reconnects by itself; otherwise start it again with `pdash serve --lab <folder>` and open the address it prints.',
    );
  }

  function rejectPending(errorFor: (channel: string) => LabError): void {
    for (const [id, request] of pending) {
      pending.delete(id);
      request.reject(errorFor(request.channel));
    }
  }

  function connect(): void {
    retryTimer = null;
    let ws: WebSocketLike;
    try {
      ws = options.createSocket(options.url);
    } catch (error) {
      // The page refused to open the socket (a malformed address, or a Content-Security-Policy that forbids
      // it): that will not change by retrying. A later request tries once more.
      const reason = error instanceof Error ? error.message : String(error);
      socket = null;
      rejectPending(
        (channel) =>
          new LabError(
            'unavailable',
            `This page cannot open a WebSocket to ${address} for '${channel}': ${reason}`,
            'This is a bug in P-DASH Lab (its address or its Content-Security-Policy); the browser console has the details.',
          ),
      );
      setStatus('stopped');
      return;
    }
    socket = ws;
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      everConnected = true;
      failedAttempts = 0;
      setStatus('connected');
      for (const request of pending.values()) sendPending(request);
    });
    ws.addEventListener('message', (event) => {
      if (socket === ws) receive(event.data);
    });
    // Browsers report a failed connection as 'error' then 'close'; 'close' alone says all there is to say.
    // After close() the socket is no longer ours, so its closing starts no reconnection.
    ws.addEventListener('close', (event) => {
      if (socket === ws) connectionLost(event.code === GOING_AWAY);
    });
  }

  function sendPending(request: PendingRequest): void {
    if (request.sent || socket === null || socket.readyState !== OPEN) return;
    socket.send(request.frame);
    request.sent = true;
  }

  /** `serverStopped`: the server said it is shutting down, so there is no point calling it 'reconnecting'. */
  function connectionLost(serverStopped: boolean): void {
    socket = null;
    rejectPending(connectionLostError);
    failedAttempts = serverStopped ? Math.max(failedAttempts + 1, policy.attemptsBeforeStopped) : failedAttempts + 1;
    setStatus(failedAttempts >= policy.attemptsBeforeStopped ? 'stopped' : 'reconnecting');
    const delay = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failedAttempts - 1));
    retryTimer = setTimeout(connect, delay);
  }

  function receive(data: unknown): void {
    const message = parseServerMessage(data);
    if (message === null) {
      // A malformed frame is a bug in the server; say so where a developer looks, and keep the connection.
      console.error('P-DASH Lab: ignored a malformed message from the lab server:', data);
      return;
    }
    if (message.type === 'event') {
      for (const listener of eventListeners) listener(message.event, message.payload);
      return;
    }
    const request = pending.get(message.id);
    if (request === undefined) {
      console.error(`P-DASH Lab: the lab server answered request ${message.id}, which is not waiting for an answer.`);
      return;
    }
    pending.delete(message.id);
    if (message.ok) request.resolve(message.response);
    else request.reject(labErrorFromWire(message.error));
  }

  connect();

  return {
    kind: 'websocket',
    request(channel, request) {
      if (closed) {
        return Promise.reject(new LabError('cancelled', `'${channel}' was not sent: the lab connection is closed.`));
      }
      const id = nextId++;
      const wire: WireRequest = { type: 'request', id, channel, request };
      return new Promise((resolve, reject) => {
        const entry: PendingRequest = { channel, frame: JSON.stringify(wire), sent: false, resolve, reject };
        pending.set(id, entry);
        if (socket === null) {
          // Waiting out a backoff: a request is a reason to try now rather than later.
          if (retryTimer !== null) clearTimeout(retryTimer);
          connect();
        } else {
          sendPending(entry);
        }
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      rejectPending((channel) => new LabError('cancelled', `'${channel}' was cancelled: the lab connection was closed.`));
      ws?.close(1000, 'closed by the page');
    },
  };
}

/** A WireServerMessage whose error, if any, is not yet checked. */
type ServerMessage =
  | { type: 'event'; event: string; payload: unknown }
  | { type: 'reply'; id: number; ok: true; response: unknown }
  | { type: 'reply'; id: number; ok: false; error: unknown };

function parseServerMessage(data: unknown): ServerMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === 'event' && typeof message.event === 'string') {
    return { type: 'event', event: message.event, payload: message.payload };
  }
  if (message.type === 'reply' && typeof message.id === 'number') {
    if (message.ok === true) return { type: 'reply', id: message.id, ok: true, response: message.response };
    if (message.ok === false) return { type: 'reply', id: message.id, ok: false, error: message.error };
  }
  return null;
}
