/**
 * The renderer's CSP lives in two places: the meta tag in index.html (the only one a page loaded without our
 * headers gets) and the header both hosts send (src/shared/renderer-policy.ts: web mode and app://). Browsers
 * enforce every policy they are given, so a meta tag looser than the header is dead weight and one stricter than
 * it breaks the page: they must agree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rendererContentSecurityPolicy } from '../../../../src/shared/renderer-policy.ts';

const indexHtml = readFileSync(fileURLToPath(new URL('../../../../src/renderer/index.html', import.meta.url)), 'utf8');

function directives(policy: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name, sources.join(' '));
  }
  return map;
}

function metaPolicy(): string {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(indexHtml);
  if (match?.[1] === undefined) throw new Error('src/renderer/index.html has no CSP meta tag');
  return match[1];
}

describe('the renderer CSP', () => {
  it('lets the page connect only to its own origin: no WebSocket to any local port (issue #10)', () => {
    const meta = directives(metaPolicy());
    expect(meta.get('connect-src')).toBe("'self'");
    expect(metaPolicy()).not.toMatch(/ws:|wss:|:\*/);
    expect(meta.get('script-src')).toBe("'self'");
    expect(meta.get('object-src')).toBe("'none'");
  });

  it('in the meta tag agrees with the header web mode and the app send, directive for directive', () => {
    const meta = directives(metaPolicy());
    const sent = directives(rendererContentSecurityPolicy);
    // frame-ancestors works only as a header (browsers ignore it in a meta tag and log an error).
    expect(sent.get('frame-ancestors')).toBe("'none'");
    sent.delete('frame-ancestors');
    expect(Object.fromEntries(meta)).toEqual(Object.fromEntries(sent));
  });
});
