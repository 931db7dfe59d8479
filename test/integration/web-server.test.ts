import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabInfo } from '../../src/shared/contract/index.ts';
import { startWebServer, tokenCookieName, type WebServer } from '../../src/main/server/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let server: WebServer;
let rendererDir: string;

beforeAll(async () => {
  dir = tempDir();
  rendererDir = join(dir.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>P-DASH Lab</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir.path, 'secret.txt'), 'outside the renderer');
  server = await startWebServer({ labDir: join(dir.path, 'lab'), rendererDir, port: 0 });
});

afterAll(async () => {
  await server.close();
  dir.remove();
});

type Response = { status: number; body: string; headers: Record<string, string | string[] | undefined> };

function get(path: string, headers: Record<string, string> = {}, port = server.port, host = '127.0.0.1'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it when open, rejects with the HTTP status when the upgrade is refused. */
function connect(query: string, headers: Record<string, string> = {}, address = `127.0.0.1:${server.port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${address}/rpc${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, message: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

describe('web mode over a real WebSocket', () => {
  it('answers lab/info with the token', async () => {
    const ws = await connect(`?token=${server.token}`);
    const reply = await call(ws, { type: 'request', id: 1, channel: 'lab/info', request: {} });
    ws.close();
    expect(reply.ok).toBe(true);
    expect(reply.id).toBe(1);
    const info = LabInfo.parse(reply.response);
    expect(info.labDir).toBe(join(dir.path, 'lab'));
    expect(info.frontDoor).toBe('web');
    expect(info.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(info.compute.backends.map((b) => b.name)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(info.compute.backends.find((b) => b.name === 'cpu')?.available).toBe(true);
  });

  it('refuses a socket without the token, or with a wrong one', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=not-the-token')).rejects.toThrow('HTTP 401');
  });

  it('refuses a socket opened from another origin even with the token', async () => {
    await expect(connect(`?token=${server.token}`, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('answers a malformed request with a clear bad-request error and keeps the connection', async () => {
    const ws = await connect(`?token=${server.token}`);
    const bad = await call(ws, { type: 'request', id: 2, channel: 'lab/info', request: { extra: 1 } });
    expect(bad).toMatchObject({ id: 2, ok: false, error: { code: 'bad-request' } });
    expect(String((bad.error as { message: string }).message)).toContain('extra');
    const unknown = await call(ws, { type: 'request', id: 3, channel: 'lab/delete-everything', request: {} });
    expect(unknown).toMatchObject({ id: 3, ok: false, error: { code: 'unknown-channel' } });
    const garbage = await call(ws, 'not json at all');
    expect(garbage).toMatchObject({ id: -1, ok: false, error: { code: 'bad-request' } });
    ws.close();
  });
});

describe('web mode over HTTP', () => {
  it('refuses the page without the token', async () => {
    const res = await get('/');
    expect(res.status).toBe(401);
    expect(res.body).toContain('token');
  });

  it('serves the page with the token, with a CSP, and sets a cookie for the assets', async () => {
    const res = await get(`/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('P-DASH Lab');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain('HttpOnly');
    const asset = await get('/assets/app.js', { Cookie: cookie.split(';')[0] ?? '' });
    expect(asset.status).toBe(200);
  });

  it('falls back to index.html for app routes and never serves files outside the renderer', async () => {
    expect((await get(`/experiments?token=${server.token}`)).body).toContain('P-DASH Lab');
    const traversal = await get(`/..%2Fsecret.txt?token=${server.token}`);
    expect(traversal.status).toBe(404);
    expect(traversal.body).not.toContain('outside the renderer');
  });

  it('refuses a request for another Host (DNS rebinding)', async () => {
    const res = await get(`/?token=${server.token}`, { Host: `attacker.example:${server.port}` });
    expect(res.status).toBe(403);
  });
});

describe('two servers on one machine', () => {
  it('keeps each server its own token cookie: a second server no longer overwrites the first', async () => {
    const second = await startWebServer({ labDir: join(dir.path, 'lab2'), rendererDir, port: 0, runQueue: false });
    try {
      // A browser keeps one cookie per (host, name, path), whatever the port: the jar models that.
      const jar = new Map<string, string>();
      for (const s of [server, second]) {
        const setCookie = String((await get(`/?token=${s.token}`, {}, s.port)).headers['set-cookie']);
        const [name, value] = (setCookie.split(';')[0] ?? '').split('=') as [string, string];
        expect(name).toBe(tokenCookieName(s.port));
        jar.set(name, value);
      }
      expect(jar.size).toBe(2);
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
      expect((await get('/assets/app.js', { Cookie: cookie }, server.port)).status).toBe(200);
      expect((await get('/assets/app.js', { Cookie: cookie }, second.port)).status).toBe(200);
      // One server's cookie is no key to the other.
      const secondOnly = `${tokenCookieName(server.port)}=${jar.get(tokenCookieName(second.port))}`;
      expect((await get('/assets/app.js', { Cookie: secondOnly }, server.port)).status).toBe(401);
    } finally {
      await second.close();
    }
  });
});

/** This machine's first non-loopback IPv4 address, if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flatMap((list) => list ?? [])
  .find((entry) => entry.family === 'IPv4' && !entry.internal)?.address;

describe('--host 0.0.0.0 (every interface)', () => {
  let wide: WebServer;
  beforeAll(async () => {
    wide = await startWebServer({ labDir: join(dir.path, 'lab-wide'), rendererDir, port: 0, host: '0.0.0.0', runQueue: false });
  });
  afterAll(async () => {
    await wide.close();
  });

  it.skipIf(lanAddress === undefined)(`serves the page and the socket to a browser on the LAN address (skipped: this machine has no non-loopback IPv4 address)`, async () => {
    const address = `${lanAddress}:${wide.port}`;
    expect(wide.networkUrls).toContain(`http://${address}/?token=${wide.token}`);
    const page = await get(`/?token=${wide.token}`, {}, wide.port, lanAddress);
    expect(page.status).toBe(200);
    expect(page.body).toContain('P-DASH Lab');
    const ws = await connect(`?token=${wide.token}`, { Origin: `http://${address}` }, address);
    const reply = await call(ws, { type: 'request', id: 1, channel: 'datasets/list', request: {} });
    ws.close();
    expect(reply.ok).toBe(true);
    // The token still guards the LAN address.
    expect((await get('/', {}, wide.port, lanAddress)).status).toBe(401);
    await expect(connect('?token=wrong', { Origin: `http://${address}` }, address)).rejects.toThrow('HTTP 401');
  });

  it('still refuses a name that is not this machine (DNS rebinding), on any address', async () => {
    expect((await get(`/?token=${wide.token}`, { Host: `attacker.example:${wide.port}` }, wide.port)).status).toBe(403);
    await expect(connect(`?token=${wide.token}`, { Origin: `http://attacker.example:${wide.port}` }, `127.0.0.1:${wide.port}`)).rejects.toThrow('HTTP 403');
    // An address of this machine with another port is another origin.
    expect((await get(`/?token=${wide.token}`, { Host: `127.0.0.1:${wide.port + 1}` }, wide.port)).status).toBe(403);
  });

  it('serves localhost as before', async () => {
    expect((await get(`/?token=${wide.token}`, {}, wide.port)).status).toBe(200);
  });
});
