import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appProtocolResponse, registerAppScheme, serveAppProtocol } from '../../../../src/main/electron/app-protocol.ts';
import { rendererContentSecurityPolicy } from '../../../../src/shared/renderer-policy.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

// A real folder laid out as electron-vite writes out/renderer, with secrets beside it that no app:// URL may reach.
const dir = tempDir();
const rendererDir = join(dir.path, 'renderer');

beforeAll(() => {
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>P-DASH Lab</title>');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'export const x = 1;');
  writeFileSync(join(rendererDir, 'assets', 'index-abc.css'), 'body{}');
  writeFileSync(join(rendererDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(rendererDir, 'assets', 'blob.bin'), 'bytes');
  writeFileSync(join(dir.path, 'secret.txt'), 'SECRET');
  // A sibling whose name starts with the renderer folder's: a prefix check on paths would let it through.
  mkdirSync(join(dir.path, 'renderer-private'));
  writeFileSync(join(dir.path, 'renderer-private', 'key.txt'), 'SECRET');
});
afterAll(() => dir.remove());

const get = (url: string, method = 'GET') => appProtocolResponse(new Request(url, { method }), rendererDir);

describe('app:// serves the built renderer', () => {
  it.each([
    ['app://pdash/', 'text/html; charset=utf-8', '<!doctype html>'],
    ['app://pdash/index.html', 'text/html; charset=utf-8', '<!doctype html>'],
    ['app://pdash/assets/index-abc.js', 'text/javascript; charset=utf-8', 'export const x'],
    ['app://pdash/assets/index-abc.css', 'text/css; charset=utf-8', 'body{}'],
    ['app://pdash/favicon.svg', 'image/svg+xml', '<svg'],
    ['app://pdash/assets/blob.bin', 'application/octet-stream', 'bytes'],
  ])('%s as %s, with the CSP and nosniff', async (url, type, start) => {
    const response = await get(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe(type);
    expect(response.headers.get('Content-Security-Policy')).toBe(rendererContentSecurityPolicy);
    expect(response.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect((await response.text()).startsWith(start)).toBe(true);
  });

  it('answers HEAD without a body', async () => {
    const response = await get('app://pdash/index.html', 'HEAD');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('sends a policy that allows no WebSocket and no other origin', () => {
    expect(rendererContentSecurityPolicy).toContain("connect-src 'self';");
    expect(rendererContentSecurityPolicy).not.toMatch(/ws:|wss:|\*/);
    expect(rendererContentSecurityPolicy).toContain("frame-ancestors 'none'");
  });
});

describe('app:// refuses what is not a renderer file', () => {
  it.each([
    ['app://pdash/..%2fsecret.txt', 403],
    ['app://pdash/assets/..%2f..%2fsecret.txt', 403],
    ['app://pdash/%2e%2e%2frenderer-private%2fkey.txt', 403],
    ['app://pdash/..%5csecret.txt', 400],
    ['app://pdash/index.html%00.js', 400],
    ['app://pdash/%E0%A4%A', 400],
    // The URL parser folds ../ (and %2e%2e/) away, so these land inside the folder and name nothing there.
    ['app://pdash/../secret.txt', 404],
    ['app://pdash/%2e%2e/secret.txt', 404],
    ['app://pdash/assets/../../renderer-private/key.txt', 404],
    ['app://pdash/assets', 404],
    ['app://pdash/nope.js', 404],
    ['app://other/index.html', 404],
    ['app://pdash.evil.example/index.html', 404],
  ])('%s with %i and no secret', async (url, status) => {
    const response = await get(url);
    expect(response.status).toBe(status);
    expect(await response.text()).not.toContain('SECRET');
    expect(response.headers.get('Content-Security-Policy')).toBe(rendererContentSecurityPolicy);
  });

  it('refuses other methods', async () => {
    expect((await get('app://pdash/index.html', 'POST')).status).toBe(405);
  });
});

describe('scheme registration', () => {
  it('registers app as standard and secure, without CORS, CSP bypass or service workers, and serves it', async () => {
    const registered: unknown[] = [];
    registerAppScheme({ registerSchemesAsPrivileged: (schemes) => registered.push(...schemes) });
    expect(registered).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    let handler: ((request: Request) => Promise<Response> | Response) | undefined;
    serveAppProtocol(
      {
        handle: (scheme: string, h: (request: Request) => Promise<Response>) => {
          if (scheme === 'app') handler = h;
        },
      },
      rendererDir,
    );
    expect((await handler!(new Request('app://pdash/index.html'))).status).toBe(200);
  });
});
