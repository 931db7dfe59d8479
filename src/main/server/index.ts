/**
 * Web mode: the built renderer and the lab contract over HTTP + WebSocket, bound to loopback by default and
 * guarded by a random token (as Jupyter does). It is how the GUI runs on a headless box over an ssh tunnel,
 * and how the GUI is tested here.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { UPLOAD_CHUNK_MAX_BASE64 } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { rendererSecurityHeaders } from '../../shared/renderer-policy.ts';
import { WireRequest, type WireServerMessage } from '../../shared/rpc.ts';
import { LabCore, sweepStaleUploads, uploadLimitsFromEnv } from '../core/index.ts';
import { resolveStaticFile, sendFile } from './static-files.ts';

export const defaultRendererDir: string = fileURLToPath(new URL('../../../out/renderer', import.meta.url));

/**
 * The largest legitimate message is one upload chunk: its base64 plus the JSON envelope around it (ids, an
 * escaped file name of at most 200 characters, keys). ws refuses a frame announcing more before buffering it,
 * so a client cannot make the server hold more than this per message.
 */
export const MAX_MESSAGE_BYTES = UPLOAD_CHUNK_MAX_BASE64 + 64 * 1024;

/**
 * Cookies are not isolated by port: one name for every server on 127.0.0.1 would let a second `pdash serve`
 * overwrite the first one's token in the browser. The port in the name keeps each server's cookie.
 */
export function tokenCookieName(port: number): string {
  return `pdash_token_${port}`;
}

/** Addresses that mean "every interface": the Host a remote browser sends is then one of the machine's own. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** How often the web server looks for abandoned uploads (at most; a short idle time sweeps more often). */
const UPLOAD_SWEEP_MS = 5 * 60 * 1000;


/** The renderer's headers, and what only a page served over HTTP needs besides. */
const securityHeaders: Record<string, string> = {
  ...rendererSecurityHeaders,
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
  /** Staged uploads untouched for this long are removed (default: PDASH_UPLOAD_IDLE_MINUTES, or an hour). */
  uploadIdleMs?: number;
}

export interface WebServer {
  url: string;
  token: string;
  port: number;
  host: string;
  core: LabCore;
  /** For a wildcard bind, the same URL on each of the machine's addresses (what other machines open). */
  networkUrls: string[];
  close(): Promise<void>;
}

/** Host header forms of an address: IPv6 literals go in brackets. */
function hostForm(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/** The machine's interface addresses as Host header forms (link-local IPv6 with a zone cannot be a Host). */
function interfaceHosts(): string[] {
  const hosts: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) {
      if (!entry.address.includes('%')) hosts.push(hostForm(entry.address.toLowerCase()));
    }
  }
  return hosts;
}

/**
 * Whether to print an interface address as a URL for other machines: not loopback, not link-local (a browser
 * needs its zone, which a URL cannot carry), and IPv6 only when the bind is `::` (0.0.0.0 listens on IPv4 only).
 */
function reachableFromElsewhere(hostForm: string, bind: string): boolean {
  if (hostForm === '127.0.0.1' || hostForm.startsWith('127.') || hostForm === '[::1]' || hostForm.startsWith('[fe80:')) return false;
  return !hostForm.startsWith('[') || bind.includes(':');
}

/**
 * The path and query of a request target, or null when it is not origin-form (`/path?query`). The base is fixed:
 * the Host header is the client's to choose and must never reach the URL parser as a host (`Host: [` throws).
 */
function parseTarget(target: string | undefined): URL | null {
  if (target === undefined || !target.startsWith('/')) return null;
  try {
    // Prefixing keeps `//[` a path instead of a protocol-relative URL naming the host `[`.
    return new URL(`http://target.invalid${target}`);
  } catch {
    return null;
  }
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
  const uploadIdleMs = options.uploadIdleMs ?? uploadLimitsFromEnv().idleMs;
  if (options.runQueue ?? true) lab.runs.startQueue();

  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const server = createServer((request, response) => {
    // Nothing a client sends may end the process that holds the lab and supervises its runs. Malformed input is
    // answered 400 where it is parsed; reaching this catch is a bug, answered 500 (the fuzz suite looks for it).
    try {
      serveHttp(request, response);
    } catch {
      if (!response.headersSent) refuse(response, 500, 'Internal error: the request could not be served.');
      else response.destroy();
    }
  });
  // Unparsable requests (bad request line, oversized headers, a reset): answer 400 where the socket can still
  // take it. A listener here replaces Node's default, which does the same; it is explicit so it cannot throw.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Mid-response (headers already sent) a status line would corrupt the stream: then the socket just closes.
    const pending = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && error.code !== 'ECONNRESET' && pending?.headersSent !== true) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nBad request.\n');
    } else socket.destroy();
  });
  wss.on('error', () => {
    // Only emitted for the server's own failures, which close() handles; a listener keeps them from crashing.
  });
  let boundPort = 0;
  let cookieName = '';

  function tokenMatches(candidate: string | null | undefined): boolean {
    if (typeof candidate !== 'string') return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Whether any cookie of this server's name carries the token (a browser may send several of one name). */
  function cookieAuthorised(request: IncomingMessage): boolean {
    const header = request.headers.cookie;
    if (typeof header !== 'string') return false;
    return header.split(';').some((part) => {
      const at = part.indexOf('=');
      return at > 0 && part.slice(0, at).trim() === cookieName && tokenMatches(part.slice(at + 1).trim());
    });
  }

  /**
   * The `host:port` values a browser may send for this server. Names other than localhost are left out: a name
   * the attacker's DNS points at 127.0.0.1 is how DNS rebinding reaches a local server. IP literals cannot be
   * rebound, so a wildcard bind admits the machine's own addresses (what a browser on the LAN sends). The name
   * given to --host is admitted too: the user chose it.
   */
  function allowedHosts(): Set<string> {
    const names = ['localhost', '127.0.0.1', '[::1]', hostForm(host.toLowerCase())];
    if (WILDCARD_HOSTS.has(host)) names.push(...interfaceHosts());
    const allowed = new Set(names.map((name) => `${name}:${boundPort}`));
    // A browser leaves out the port when it is the scheme's default.
    if (boundPort === 80) for (const name of names) allowed.add(name);
    return allowed;
  }
  let allowed = new Set<string>();

  function hostValueAllowed(value: string): boolean {
    const candidate = value.toLowerCase();
    if (allowed.has(candidate)) return true;
    // Interfaces come and go (DHCP, VPN): look again before refusing.
    allowed = allowedHosts();
    return allowed.has(candidate);
  }

  /** Refuses requests whose Host is not this server (DNS rebinding). */
  function hostAllowed(request: IncomingMessage): boolean {
    const hostHeader = request.headers.host;
    return typeof hostHeader === 'string' && hostValueAllowed(hostHeader);
  }

  /** A browser's Origin must be this server; absent (not a browser) is left to the token. */
  function originAllowed(request: IncomingMessage): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    const match = /^https?:\/\/([^/]+)$/i.exec(origin);
    return match !== null && hostValueAllowed(match[1] ?? '');
  }

  function refuse(response: ServerResponse, status: number, message: string): void {
    response.writeHead(status, { ...securityHeaders, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end(message + '\n');
  }

  function serveHttp(request: IncomingMessage, response: ServerResponse): void {
    if (!hostAllowed(request)) return refuse(response, 403, 'Forbidden: unexpected Host header.');
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(response, 405, 'Method not allowed.');
    const url = parseTarget(request.url);
    if (url === null) return refuse(response, 400, 'Bad request: the request target is not a path.');
    const queryToken = url.searchParams.get('token');
    const authorised = tokenMatches(queryToken) || cookieAuthorised(request);
    if (!authorised) {
      return refuse(response, 401, 'This P-DASH Lab server needs its token: open the full URL that `pdash serve` printed (it ends in ?token=...).');
    }
    const file = resolveStaticFile(rendererDir, url.pathname);
    if (file === null) {
      if (!existsSync(rendererDir)) {
        return refuse(response, 503, `The renderer is not built (${rendererDir} is missing): run \`npm run build\`, then restart \`pdash serve\`.`);
      }
      return refuse(response, 404, 'Not found.');
    }
    const headers: Record<string, string> = { ...securityHeaders };
    if (tokenMatches(queryToken)) {
      headers['Set-Cookie'] = `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    sendFile(response, file, headers);
  }

  function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${reason}\n`);
  }

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // The HTTP server stops watching an upgraded socket: a reset before ws takes it over must not be unhandled.
    socket.on('error', () => socket.destroy());
    try {
      upgrade(request, socket, head);
    } catch {
      socket.destroy();
    }
  });

  function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseTarget(request.url);
    if (url === null) return rejectUpgrade(socket, 400, 'Bad Request');
    if (url.pathname !== '/rpc') return rejectUpgrade(socket, 404, 'Not Found');
    if (!hostAllowed(request)) return rejectUpgrade(socket, 403, 'Forbidden');
    // A page on another site must not drive the lab through the browser's cookies: the token is required
    // explicitly, and a browser's Origin must be this server.
    if (!originAllowed(request)) return rejectUpgrade(socket, 403, 'Forbidden');
    if (!tokenMatches(url.searchParams.get('token'))) return rejectUpgrade(socket, 401, 'Unauthorized');
    // ws answers a bad handshake (version, key) with 400 itself.
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    // A protocol error (oversized or unmasked frame, invalid UTF-8, a bad close code) is emitted here, and ws
    // closes that connection itself; without a listener it would be an unhandled 'error' that ends the process.
    ws.on('error', () => ws.terminate());
    ws.on('message', (data, isBinary) => {
      answer(ws, isBinary ? null : data.toString()).catch(() => ws.terminate());
    });
  });

  function send(ws: WebSocket, message: WireServerMessage): void {
    if (ws.readyState !== ws.OPEN) return;
    // The callback takes a failed write (the peer went away): without it ws has nowhere to report it.
    ws.send(JSON.stringify(message), () => {});
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
  cookieName = tokenCookieName(boundPort);
  allowed = allowedHosts();

  // Uploads abandoned mid-way (a closed tab) are removed once idle; unref'd so the timer never keeps Node alive.
  const sweeper = setInterval(() => {
    try {
      sweepStaleUploads(lab.paths.uploads, { idleMs: uploadIdleMs });
    } catch {
      // A lab folder that cannot be read now is tried again at the next tick; a timer must not end the server.
    }
  }, Math.min(UPLOAD_SWEEP_MS, Math.max(1000, uploadIdleMs / 4)));
  sweeper.unref();

  const urlFor = (address: string): string => `http://${hostForm(address)}:${boundPort}/?token=${token}`;
  return {
    // A wildcard address is no place to browse to (browsers refuse 0.0.0.0): this machine opens it on loopback.
    url: urlFor(WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host),
    token,
    port: boundPort,
    host,
    core: lab,
    networkUrls: WILDCARD_HOSTS.has(host) ? interfaceHosts().filter((h) => reachableFromElsewhere(h, host)).map(urlFor) : [],
    close: () => closeServer(server, wss, sockets, () => {
      clearInterval(sweeper);
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
