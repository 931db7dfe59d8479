import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { rendererContentTypes } from '../../shared/renderer-policy.ts';


/**
 * Resolves a URL path to a file inside `root`, or null when it would leave the folder or names nothing.
 * Paths without an extension fall back to index.html so that the renderer's history routes load.
 */
export function resolveStaticFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding: nothing to serve
  }
  if (decoded.includes('\0')) return null;
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  const candidate = join(root, relative);
  if (candidate !== root && !candidate.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  const stat = statSync(candidate, { throwIfNoEntry: false });
  if (stat?.isFile()) return candidate;
  if (extname(relative) === '') {
    const index = join(root, 'index.html');
    return statSync(index, { throwIfNoEntry: false })?.isFile() ? index : null;
  }
  return null;
}

export function sendFile(response: ServerResponse, file: string, headers: Record<string, string>): void {
  const type = rendererContentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = file.includes(`${sep}assets${sep}`);
  response.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  // A file removed or unreadable between the stat and the read (a rebuild) ends this response, not the server.
  createReadStream(file)
    .on('error', () => response.destroy())
    .pipe(response);
}
