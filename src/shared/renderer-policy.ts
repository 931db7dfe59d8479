/**
 * How the built renderer is served, by either host of the page: web mode's HTTP server
 * (src/main/server/static-files.ts) and the app's app:// protocol (src/main/electron/app-protocol.ts). One
 * policy for both, so the page behaves the same in the browser and in the app; the meta tag in
 * src/renderer/index.html must agree with it (test/unit/main/electron/csp.test.ts).
 */

/**
 * The page talks only to its own origin: web mode's WebSocket is same-origin (`'self'` covers ws: there), and the
 * app opens none. frame-ancestors only works as a header, so the meta tag leaves it out.
 */
export const rendererContentSecurityPolicy = [
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

/** Headers on every response of either host. */
export const rendererSecurityHeaders: Readonly<Record<string, string>> = {
  'Content-Security-Policy': rendererContentSecurityPolicy,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** What electron-vite writes to out/renderer; anything else is served as bytes the page cannot execute. */
export const rendererContentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};
