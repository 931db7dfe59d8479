/**
 * The renderer's WebSocket transport against a real `ws` server, with Node's own WebSocket (the browser API) as
 * the client. It lives in the node project because the renderer project's type program has no Node types.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { LabError } from '../../../src/shared/errors.ts';
import type { WireRequest, WireServerMessage } from '../../../src/shared/rpc.ts';
import type { ConnectionStatus, LabTransport } from '../../../src/renderer/api/transport.ts';
import { createWebSocketTransport, type ReconnectPolicy } from '../../../src/renderer/api/websocket-transport.ts';

const labInfo = { version: '0.1.0', labDir: '/tmp/lab', schemaVersion: 1 };

/** A stand-in for `pdash serve`'s /rpc endpoint, answering a few test channels. */
class RpcServer {
  readonly received: WireRequest[] = [];
  readonly wss: WebSocketServer;
  readonly port: number;

  private constructor(wss: WebSocketServer, port: number) {
    this.wss = wss;
    this.port = port;
  }

  static start(port = 0): Promise<RpcServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/rpc' });
      wss.once('error', reject);
      wss.once('listening', () => {
        const address = wss.address();
        if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
        const server = new RpcServer(wss, address.port);
        wss.on('connection', (socket) => server.attach(socket));
        resolve(server);
      });
    });
  }

  private attach(socket: ServerSocket): void {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WireRequest;
      this.received.push(message);
      const reply = (body: WireServerMessage): void => socket.send(JSON.stringify(body));
      switch (message.channel) {
        case 'lab/info':
          return reply({ type: 'reply', id: message.id, ok: true, response: labInfo });
        case 'test/fail':
          return reply({
            type: 'reply',
            id: message.id,
            ok: false,
            error: { code: 'not-found', message: 'No run 7 in this lab.', hint: 'List runs with `pdash runs`.' },
          });
        case 'test/emit':
          reply({ type: 'event', event: 'test/progress', payload: { step: 3 } });
          return reply({ type: 'reply', id: message.id, ok: true, response: null });
        case 'test/garbage':
          socket.send('this is not JSON');
          return reply({ type: 'reply', id: message.id, ok: true, response: 'still here' });
        case 'test/hang':
          return; // never answered
      }
    });
  }

  /** Drops every connection at once, as a killed server would, and stops listening. */
  stop(): Promise<void> {
    for (const socket of this.wss.clients) socket.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  /** Says goodbye first, as `pdash serve` does when it shuts down (close code 1001), then stops listening. */
  shutDown(): Promise<void> {
    for (const socket of this.wss.clients) socket.close(1001, 'P-DASH Lab server stopped');
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

/** A port nothing listens on. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
      probe.close(() => resolve(address.port));
    });
  });
}

function statusReached(transport: LabTransport, wanted: ConnectionStatus): Promise<void> {
  return new Promise((resolve) => {
    if (transport.status() === wanted) return resolve();
    const stop = transport.onStatus((status) => {
      if (status === wanted) {
        stop();
        resolve();
      }
    });
  });
}

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LabError) return error;
    throw new Error(`expected a LabError, got ${String(error)}`);
  }
  throw new Error('expected the promise to reject');
}

const fastRetry: ReconnectPolicy = { initialDelayMs: 5, maxDelayMs: 20, attemptsBeforeStopped: 3 };

const servers: RpcServer[] = [];
const transports: LabTransport[] = [];
/** Every client socket the transports opened, in order. */
const clientSockets: WebSocket[] = [];

async function startServer(port?: number): Promise<RpcServer> {
  const server = await RpcServer.start(port);
  servers.push(server);
  return server;
}

function connect(port: number, reconnect: ReconnectPolicy = fastRetry): LabTransport {
  const transport = createWebSocketTransport({
    url: `ws://127.0.0.1:${port}/rpc?token=secret`,
    createSocket: (url) => {
      const socket = new WebSocket(url);
      clientSockets.push(socket);
      return socket;
    },
    reconnect,
  });
  transports.push(transport);
  return transport;
}

afterEach(async () => {
  for (const transport of transports.splice(0)) transport.close();
  clientSockets.length = 0;
  await Promise.all(servers.splice(0).map((server) => server.stop()));
  vi.restoreAllMocks();
});

describe('createWebSocketTransport', () => {
  it('sends a WireRequest and resolves with the reply; requests made before the socket opens wait for it', async () => {
    const server = await startServer();
    const transport = connect(server.port);
    expect(transport.status()).toBe('connecting');

    const response = await transport.request('lab/info', {});

    expect(response).toEqual(labInfo);
    expect(transport.status()).toBe('connected');
    expect(server.received).toEqual([{ type: 'request', id: 1, channel: 'lab/info', request: {} }]);
  });

  it('rebuilds an error reply as a LabError with its code and hint', async () => {
    const server = await startServer();
    const transport = connect(server.port);

    const error = await rejection(transport.request('test/fail', { id: 7 }));

    expect(error.code).toBe('not-found');
    expect(error.message).toBe('No run 7 in this lab.');
    expect(error.hint).toBe('List runs with `pdash runs`.');
  });

  it('hands events to subscribers until they unsubscribe', async () => {
    const server = await startServer();
    const transport = connect(server.port);
    const seen: [string, unknown][] = [];
    const unsubscribe = transport.onEvent((event, payload) => seen.push([event, payload]));

    await transport.request('test/emit', {});
    unsubscribe();
    await transport.request('test/emit', {});

    expect(seen).toEqual([['test/progress', { step: 3 }]]);
  });

  it('reports a malformed frame and keeps the connection', async () => {
    const server = await startServer();
    const transport = connect(server.port);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});

    expect(await transport.request('test/garbage', {})).toBe('still here');
    expect(consoleError).toHaveBeenCalledWith(expect.stringContaining('malformed message'), 'this is not JSON');
    expect(await transport.request('lab/info', {})).toEqual(labInfo);
  });

  it('fails requests in flight with unavailable when the server stops, and reconnects when it is back', async () => {
    const server = await startServer();
    const transport = connect(server.port);
    await transport.request('lab/info', {});

    const inFlight = transport.request('test/hang', {});
    await server.stop();
    const error = await rejection(inFlight);

    expect(error.code).toBe('unavailable');
    expect(error.message).toContain(`The lab server at 127.0.0.1:${server.port} stopped`);
    expect(error.message).toContain("'test/hang'");
    expect(error.hint).toContain('pdash serve');
    expect(['reconnecting', 'stopped']).toContain(transport.status());

    await startServer(server.port);
    await statusReached(transport, 'connected');
    expect(await transport.request('lab/info', {})).toEqual(labInfo);
  });

  it("turns 'reconnecting' into 'stopped' after repeated failures, and still comes back", async () => {
    const server = await startServer();
    const transport = connect(server.port);
    await statusReached(transport, 'connected');
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((status) => statuses.push(status));

    await server.stop();
    await statusReached(transport, 'stopped');
    await startServer(server.port);
    await statusReached(transport, 'connected');

    expect(statuses).toEqual(['reconnecting', 'stopped', 'connected']);
  });

  it("says 'stopped' at once when the server announces its shutdown", async () => {
    const server = await startServer();
    const transport = connect(server.port, { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, attemptsBeforeStopped: 5 });
    await statusReached(transport, 'connected');
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((status) => statuses.push(status));

    await server.shutDown();
    await statusReached(transport, 'stopped');

    expect(statuses).toEqual(['stopped']);
  });

  it('fails requests, and stops, when the page cannot even create the socket', async () => {
    const transport = createWebSocketTransport({
      url: 'ws://127.0.0.1:1/rpc?token=secret',
      createSocket: () => {
        throw new SyntaxError("Refused to connect because it violates the Content-Security-Policy directive 'connect-src'");
      },
    });
    transports.push(transport);

    expect(transport.status()).toBe('stopped');
    const error = await rejection(transport.request('lab/info', {}));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain("This page cannot open a WebSocket to 127.0.0.1:1 for 'lab/info'");
    expect(error.message).toContain('connect-src');
  });

  it('retries at once when a request comes in while it waits out a backoff', async () => {
    const server = await startServer();
    // Retries an hour apart: only the request itself can bring the connection back within the test.
    const transport = connect(server.port, { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, attemptsBeforeStopped: 3 });
    await statusReached(transport, 'connected');

    await server.stop();
    await statusReached(transport, 'reconnecting');
    await startServer(server.port);

    expect(await transport.request('lab/info', {})).toEqual(labInfo);
    expect(transport.status()).toBe('connected');
  });

  it('says it cannot reach a server that was never there', async () => {
    const port = await unusedPort();
    const transport = connect(port, { initialDelayMs: 3_600_000, maxDelayMs: 3_600_000, attemptsBeforeStopped: 3 });

    const error = await rejection(transport.request('lab/info', {}));

    expect(error.code).toBe('unavailable');
    expect(error.message).toBe(`Cannot reach the lab server at 127.0.0.1:${port} to send 'lab/info'.`);
    expect(transport.status()).toBe('reconnecting');
  });

  it('close() cancels what is waiting and stops reconnecting', async () => {
    const server = await startServer();
    const transport = connect(server.port);
    await statusReached(transport, 'connected');
    const inFlight = transport.request('test/hang', {});
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((status) => statuses.push(status));

    transport.close();

    expect((await rejection(inFlight)).code).toBe('cancelled');
    expect((await rejection(transport.request('lab/info', {}))).code).toBe('cancelled');
    const socket = clientSockets[0];
    if (socket === undefined) throw new Error('the transport opened no socket');
    if (socket.readyState !== WebSocket.CLOSED) await new Promise((resolve) => socket.addEventListener('close', resolve));
    expect(statuses).toEqual([]);
    expect(clientSockets).toHaveLength(1);
  });
});
