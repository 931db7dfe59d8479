/**
 * A real `pdash serve` in a child process, for tests where the question is whether the server survives: an
 * exception that escapes in an in-process server would end the test runner instead of failing one test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const pdash = fileURLToPath(new URL('../../bin/pdash.mjs', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  port: number;
  token: string;
  stdout(): string;
  stderr(): string;
  /** Whether the process is still running (it has not exited). */
  alive(): boolean;
  stop(): Promise<void>;
}

export function startServeProcess(labDir: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [pdash, 'serve', '--lab', labDir, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = /Open http:\/\/[^:]+:(\d+)\/\?token=([0-9a-f]+)/.exec(stdout);
      if (match === null) return;
      resolve({
        child,
        port: Number(match[1]),
        token: match[2] ?? '',
        stdout: () => stdout,
        stderr: () => stderr,
        alive: () => !exited,
        stop: async () => {
          if (!exited) child.kill('SIGTERM');
          await exit;
        },
      });
    });
    void exit.then(() => reject(new Error(`pdash serve exited before it listened:\n${stderr}`)));
  });
}

/** Opens a WebSocket with the token and asks lab/info: the "good request" a live server must answer. */
export function askLabInfo(port: number, token: string): Promise<{ ok: boolean; response?: { labDir: string } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/rpc?token=${token}`);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'request', id: 1, channel: 'lab/info', request: {} })));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; ok: boolean; response?: { labDir: string } };
      if (message.type !== 'reply' || message.id !== 1) return;
      ws.close();
      resolve(message);
    });
  });
}

export interface RawExchange {
  /** Everything the server sent before the connection closed. */
  response: Buffer;
  /** A socket error (a reset) seen on the way, if any. */
  error?: string;
}

/**
 * Sends bytes on a fresh connection, half-closes it by default (so an incomplete request ends instead of waiting
 * for a server timeout) and resolves with what came back once the connection is closed. Rejects only when the
 * connection cannot be made at all — which, for a server that was listening, means it is gone.
 */
export function rawExchange(port: number, bytes: Buffer | string, options: { halfClose?: boolean } = {}): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let connected = false;
    let error: string | undefined;
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      connected = true;
      // Node's server drops a response still streaming a file when the client half-closes: a request that sends
      // `Connection: close` can keep its side open and wait for the server to close.
      if (options.halfClose ?? true) socket.end(bytes);
      else socket.write(bytes);
    });
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) reject(new Error(`cannot connect to the server: ${e.code ?? e.message}`));
      else error = e.code ?? e.message;
    });
    socket.on('close', () => {
      if (connected) resolve(error === undefined ? { response: Buffer.concat(chunks) } : { response: Buffer.concat(chunks), error });
    });
  });
}

/** The status code of an HTTP response, or null when the bytes are not one. */
export function statusOf(response: Buffer): number | null {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(response.subarray(0, 40).toString('latin1'));
  return match === null ? null : Number(match[1]);
}

export function upgradeRequest(port: number, token: string, headers: Record<string, string> = {}, path = `/rpc?token=${token}`): string {
  const all: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}

export interface RawWebSocket {
  socket: Socket;
  /** Resolves with everything the server sent after the handshake, once the connection is closed. */
  closed: Promise<Buffer>;
}

/** Opens an authenticated WebSocket on a raw socket, to write frames no WebSocket client would send. */
export function rawWebSocket(port: number, token: string): Promise<RawWebSocket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(upgradeRequest(port, token)));
    let buffered = Buffer.alloc(0);
    let upgraded = false;
    let settleClosed: (b: Buffer) => void = () => {};
    const closed = new Promise<Buffer>((r) => (settleClosed = r));
    socket.on('error', (e) => {
      if (!upgraded) reject(e);
    });
    socket.on('data', (d: Buffer) => {
      buffered = Buffer.concat([buffered, d]);
      if (upgraded) return;
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buffered.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101 ')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      upgraded = true;
      buffered = buffered.subarray(end + 4);
      resolve({ socket, closed });
    });
    socket.on('close', () => settleClosed(buffered));
  });
}

export interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Buffer;
  /** A mask key; null sends the frame unmasked (clients must mask). */
  mask?: Buffer | null;
  /** Announce this length instead of the payload's (a lie, or a length beyond the limit). */
  length?: bigint;
}

/** Encodes one WebSocket frame as RFC 6455 lays it out, including the invalid forms a hostile client sends. */
export function encodeFrame(spec: FrameSpec): Buffer {
  const payload = spec.payload ?? Buffer.alloc(0);
  const mask = spec.mask === undefined ? Buffer.from([1, 2, 3, 4]) : spec.mask;
  const length = spec.length ?? BigInt(payload.length);
  const head: number[] = [((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | (spec.opcode & 0x0f)];
  const maskBit = mask === null ? 0 : 0x80;
  const extended: Buffer[] = [];
  if (length < 126n) head.push(maskBit | Number(length));
  else if (length < 65536n) {
    head.push(maskBit | 126);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(Number(length));
    extended.push(b);
  } else {
    head.push(maskBit | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(length);
    extended.push(b);
  }
  const body = Buffer.from(payload);
  if (mask !== null) for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([Buffer.from(head), ...extended, ...(mask === null ? [] : [mask]), body]);
}

/** The close code of the first close frame (server frames are unmasked) in what the server sent, if any. */
export function closeCodeOf(sent: Buffer): number | null {
  let at = 0;
  while (at + 2 <= sent.length) {
    const opcode = (sent[at] ?? 0) & 0x0f;
    let length = (sent[at + 1] ?? 0) & 0x7f;
    let start = at + 2;
    if (length === 126) {
      length = sent.readUInt16BE(start);
      start += 2;
    } else if (length === 127) {
      length = Number(sent.readBigUInt64BE(start));
      start += 8;
    }
    if (opcode === 0x8) return length >= 2 ? sent.readUInt16BE(start) : null;
    at = start + length;
  }
  return null;
}
