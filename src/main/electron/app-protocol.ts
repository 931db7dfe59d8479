/**
 * The packaged renderer is served from app://pdash/ rather than file://. A file:// page shares its origin with
 * every local file and gets file-scheme privileges; a standard, secure custom scheme gives the page an origin
 * of its own that the IPC and navigation checks can compare exactly, and lets the shell send the CSP as a
 * response header (a file:// page only ever had the meta tag).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Protocol } from 'electron';
import { rendererContentTypes, rendererSecurityHeaders } from '../../shared/renderer-policy.ts';
import { APP_HOST, APP_SCHEME } from './origins.ts';

/**
 * Must run before the app's ready event (Electron's rule). standard: relative URLs resolve and the page has a
 * real (scheme, host) origin; secure: it counts as a secure context like https. supportFetchAPI lets the page
 * fetch its own assets. Deliberately not corsEnabled (it would let other origins read app:// responses),
 * bypassCSP, allowServiceWorkers or stream.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Serves app://pdash/<path> from `rendererDir` (after ready). */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appProtocolResponse(request, rendererDir));
}

function refusal(status: number, reason: string): Response {
  return new Response(reason, { status, headers: { ...rendererSecurityHeaders, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * The response for one app:// request: a file of `rendererDir` or a refusal. The router uses hash history, so
 * there is no fallback to index.html for unknown paths; they are 404.
 */
export async function appProtocolResponse(request: Request, rendererDir: string): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405, `${request.method} is not served by app://.`);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return refusal(400, 'Malformed URL.');
  }
  if (url.host !== APP_HOST) return refusal(404, `No such host: ${url.host}.`);
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return refusal(400, 'Malformed percent-encoding in the path.');
  }
  // A NUL or a backslash has no business in an asset path; a backslash is a separator on Windows.
  if (path.includes('\0') || path.includes('\\')) return refusal(400, 'Invalid character in the path.');
  if (path === '/' || path === '') path = '/index.html';
  const root = resolve(rendererDir);
  const file = resolve(root, `.${path}`);
  const inside = relative(root, file);
  // The URL parser removes plain ../ segments, but %2e%2e%2f decodes to ../ after it has run.
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return refusal(403, 'The path leaves the renderer folder.');
  }
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return null;
    throw error; // unreadable for another reason: a failed load, not a quiet 404
  });
  if (info === null || !info.isFile()) return refusal(404, `Not found: ${path}.`);
  const type = rendererContentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = { ...rendererSecurityHeaders, 'Content-Type': type, 'Content-Length': String(info.size) };
  if (request.method === 'HEAD') return new Response(null, { status: 200, headers });
  return new Response(new Uint8Array(await readFile(file)), { status: 200, headers });
}
