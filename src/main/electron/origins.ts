/**
 * Which pages the shell trusts and which links it hands to the user's browser. Every check parses the URL and
 * compares whole origins or hosts: a prefix test let `http://localhost:5173.evil.example` pass for the dev
 * server `http://localhost:5173` (issue #10). A URL that does not parse is refused.
 */

/** The packaged app is served from this privileged scheme (app-protocol.ts), never from file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'pdash';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The origin of `url`, or null when it has none we could trust. Node's URL gives every non-special scheme the
 * opaque origin "null" (so would data:, file: and blob: of an opaque origin); comparing those strings would
 * make them all equal, so only our own scheme is given a tuple origin here and the rest are refused.
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.origin !== 'null') return parsed.origin;
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host !== '' && parsed.username === '' && parsed.password === '') {
    return `${parsed.protocol}//${parsed.host}`;
  }
  return null;
}

/**
 * The origins whose pages may use the lab: the dev server's under `electron-vite dev`, else the app scheme's.
 * A dev server URL that does not parse trusts nothing (and says so) rather than falling back to a guess.
 */
export function trustedOrigins(rendererUrl: string | undefined, warn: (message: string) => void = console.warn): readonly string[] {
  if (rendererUrl === undefined) return [APP_ORIGIN];
  const origin = originOf(rendererUrl);
  if (origin === null) {
    warn(`P-DASH Lab: ELECTRON_RENDERER_URL ${JSON.stringify(rendererUrl)} is not a URL with an origin; no page will be trusted.`);
    return [];
  }
  return [origin];
}

/** Whether `url` belongs to one of `origins` (exact origin equality; unparsable URLs never do). */
export function isTrustedUrl(url: string, origins: readonly string[]): boolean {
  const origin = originOf(url);
  return origin !== null && origins.includes(origin);
}

/**
 * Hosts the app may open in the user's browser: the project's repository host and the hosts of the papers the
 * method comes from (DASH, NeurIPS 2022: arxiv.org and proceedings.neurips.cc; DARTS-PT: openreview.net; the
 * reference code on github.com). The renderer links to none of them today (a grep of src/renderer finds no
 * external link), so the list is only what a help or citation link could need. Exact host names: a subdomain
 * of an allowed host is a different party.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['github.com', 'arxiv.org', 'proceedings.neurips.cc', 'openreview.net'];

export type ExternalLinkDecision = { allowed: true; url: string } | { allowed: false; reason: string };

/**
 * Decides whether a link may leave the app. The URL handed on is the parsed, re-serialised one, so the browser
 * receives exactly what was checked.
 */
export function checkExternalLink(url: string, hosts: readonly string[] = EXTERNAL_LINK_HOSTS): ExternalLinkDecision {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: 'it is not a valid URL' };
  }
  if (parsed.protocol !== 'https:') return { allowed: false, reason: `only https links open outside the app, not ${parsed.protocol}` };
  if (parsed.username !== '' || parsed.password !== '') return { allowed: false, reason: 'it carries credentials' };
  if (parsed.port !== '') return { allowed: false, reason: `it names port ${parsed.port}` };
  if (!hosts.includes(parsed.hostname)) return { allowed: false, reason: `${parsed.hostname} is not one of the allowed hosts (${hosts.join(', ')})` };
  return { allowed: true, url: parsed.href };
}
