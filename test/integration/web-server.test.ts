import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LabInfo } from '../../src/shared/contract/index.ts';
import { startWebServer, type WebServer } from '../../src/main/server/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';

let dir: ReturnType<typeof tempDir>;
let server: WebServer;

beforeAll(async () => {
  dir = tempDir();
  const rendererDir = join(dir.path, 'renderer');
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

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Opens a socket; resolves with it when open, rejects with the HTTP status when the upgrade is refused. */
function connect(query: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc${query}`, { headers });
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
