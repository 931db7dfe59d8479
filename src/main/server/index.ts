/**
 * Web mode: the built renderer and the lab contract over HTTP + WebSocket, bound to loopback by default and
 * guarded by a random token (as Jupyter does). It is how the GUI runs on a headless box over an ssh tunnel,
 * and how the GUI is tested here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { LabError } from '../../shared/errors.ts';
import { WireRequest, type WireServerMessage } from '../../shared/rpc.ts';
import { LabCore } from '../core/lab-core.ts';
import { resolveStaticFile, sendFile } from './static-files.ts';

export const defaultRendererDir: string = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

/** Large enough for dataset uploads in later channels, small enough to refuse a runaway client. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const TOKEN_COOKIE = 'pdash_token';

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

const securityHeaders: Record<string, string> = {
  'Content-Security-Policy': contentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export interface WebServerOptions {
  /** A core to serve; when absent, one is opened on `labDir` and closed with the server. */
  core?: LabCore;
  labDir?: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  rendererDir?: string;
  /** A fixed token (tests); by default 24 random bytes. */
  token?: string;
  /** Supervise queued runs in this process (default true: the server is where the GUI's runs execute). */
  runQueue?: boolean;
}

export interface WebServer {
  url: string;
  token: string;
  port: number;
  host: string;
  core: LabCore;
  close(): Promise<void>;
}

export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  const rendererDir = options.rendererDir ?? defaultRendererDir;
  const token = options.token ?? randomBytes(24).toString('hex');
  const ownsCore = options.core === undefined;
  let core = options.core;
  if (core === undefined) {
    if (options.labDir === undefined) throw new LabError('bad-request', 'startWebServer needs a core or a labDir.');
    core = LabCore.open({ labDir: options.labDir, frontDoor: 'web' });
  }
  const lab = core;
  if (options.runQueue ?? true) lab.runs.startQueue();

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const server = createServer((request, response) => serveHttp(request, response));
  let boundPort = 0;

  function tokenMatches(candidate: string | null | undefined): boolean {
    if (typeof candidate !== 'string') return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  function cookieToken(request: IncomingMessage): string | undefined {
    const header = request.headers.cookie;
    if (header === undefined) return undefined;
    for (const part of header.split(';')) {
      const [name, ...rest] = part.trim().split('=');
      if (name === TOKEN_COOKIE) return rest.join('=');
    }
    return undefined;
  }

  /** Refuses requests whose Host is not this server (DNS rebinding). */
  function hostAllowed(request: IncomingMessage): boolean {
    const hostHeader = request.headers.host;
    if (hostHeader === undefined) return false;
    const allowed = new Set([`${host}:${boundPort}`, `localhost:${boundPort}`, `127.0.0.1:${boundPort}`, `[::1]:${boundPort}`]);
    return allowed.has(hostHeader.toLowerCase());
  }

  function refuse(response: ServerResponse, status: number, message: string): void {
    response.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(message + '\n');
  }

  function serveHttp(request: IncomingMessage, response: ServerResponse): void {
    if (!hostAllowed(request)) return refuse(response, 403, 'Forbidden: unexpected Host header.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed.');
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    const queryToken = url.searchParams.get('token');
    const authorised = tokenMatches(queryToken) || tokenMatches(cookieToken(request));
    if (!authorised) {
      return refuse(response, 401, 'This P-DASH Lab server needs its token: open the full URL that `pdash serve` printed (it ends in ?token=...).');
    }
    const file = resolveStaticFile(rendererDir, url.pathname);
    if (file === null) {
      if (!existsSync(rendererDir)) {
        return refuse(response, 503, `The renderer is not built (${rendererDir} is missing): run \`npm run build\`, then restart \`pdash serve\`.`);
      }
      return refuse(response, 404, `Not found: ${url.pathname}`);
    }
    const headers: Record<string, string> = { ...securityHeaders };
    if (tokenMatches(queryToken)) {
      headers['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    sendFile(response, file, headers);
  }

  function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
  }

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'invalid'}`);
    if (url.pathname !== '/rpc') return rejectUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(request)) return rejectUpgrade(socket, 403, 'Forbidden');
    // A page on another site must not drive the lab through the browser's cookies: the token is required
    // explicitly, and a browser's Origin must be this server.
    const origin = request.headers.origin;
    if (origin !== undefined && !hostAllowed({ headers: { host: origin.replace(/^https?:\/\//, '') } } as IncomingMessage)) {
      return rejectUpgrade(socket, 403, 'Forbidden');
    }
    if (!tokenMatches(url.searchParams.get('token'))) return rejectUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      void answer(ws, isBinary ? null : data.toString());
    });
  });

  function send(ws: WebSocket, message: WireServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  async function answer(ws: WebSocket, text: string | null): Promise<void> {
    let parsedJson: unknown;
    try {
      parsedJson = text === null ? undefined : JSON.parse(text);
    } catch {
      parsedJson = undefined;
    }
    const envelope = WireRequest.safeParse(parsedJson);
    if (!envelope.success) {
      const id = typeof (parsedJson as { id?: unknown } | undefined)?.id === 'number' ? (parsedJson as { id: number }).id : -1;
      send(ws, {
        type: 'reply',
        id,
        ok: false,
        error: new LabError('bad-request', 'Malformed message: expected JSON {type: "request", id, channel, request}.').toJSON(),
      });
      return;
    }
    const { id, channel, request } = envelope.data;
    try {
      send(ws, { type: 'reply', id, ok: true, response: await lab.request(channel, request) });
    } catch (error) {
      send(ws, { type: 'reply', id, ok: false, error: LabError.wrap(error).toJSON() });
    }
  }

  const stopEvents = lab.events.subscribe((event, payload) => {
    for (const ws of sockets) send(ws, { type: 'event', event, payload });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    stopEvents();
    if (ownsCore) lab.close();
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new LabError('unavailable', `Port ${options.port} on ${host} is already in use.`, 'Pick another with --port N, or --port 0 for a free one.');
    }
    throw LabError.wrap(error);
  });
  boundPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${boundPort}/?token=${token}`,
    token,
    port: boundPort,
    host,
    core: lab,
    close: () => closeServer(server, wss, sockets, () => {
      stopEvents();
      if (ownsCore) lab.close();
    }),
  };
}

function closeServer(server: Server, wss: WebSocketServer, sockets: Set<WebSocket>, after: () => void): Promise<void> {
  return new Promise((resolve) => {
    for (const ws of sockets) ws.close(1001, 'P-DASH Lab server stopped');
    wss.close();
    server.close(() => {
      after();
      resolve();
    });
    server.closeAllConnections();
  });
}
