import { describe, expect, it, vi } from 'vitest';
import { APP_ORIGIN, isTrustedUrl, originOf, trustedOrigins } from '../../../../src/main/electron/origins.ts';

describe('origins of the pages the shell trusts', () => {
  it.each([
    ['app://pdash/index.html#/datasets', 'app://pdash'],
    ['http://localhost:5173/src/main.ts', 'http://localhost:5173'],
    // The look-alike does not even parse (its port is not a number): refused, never prefix-matched.
    ['http://localhost:5173.evil.example/', null],
    ['http://localhost:51730/', 'http://localhost:51730'],
    ['http://localhost:5173@evil.example/', 'http://evil.example'],
    // Opaque origins are all "null" to URL: none of them may compare equal to anything.
    ['file:///app/out/renderer/index.html', null],
    ['data:text/html,<script>x</script>', null],
    ['about:blank', null],
    ['blob:app://pdash/1234', null],
    ['app://x@pdash/', null],
    ['app:///index.html', null],
    ['http://[', null],
    ['', null],
  ])('%s -> %s', (url, origin) => {
    expect(originOf(url)).toBe(origin);
  });

  it('trusts the app scheme when packaged and exactly the dev server under electron-vite dev', () => {
    expect(trustedOrigins(undefined)).toEqual([APP_ORIGIN]);
    expect(trustedOrigins('http://localhost:5173/')).toEqual(['http://localhost:5173']);
    expect(isTrustedUrl('http://localhost:5173.evil.example/', trustedOrigins('http://localhost:5173'))).toBe(false);
  });

  it('trusts nothing, and says so, when the dev server URL does not parse', () => {
    const warn = vi.fn();
    const trusted = trustedOrigins('localhost:5173', warn);
    // "localhost:5173" parses as scheme "localhost:" with an opaque origin: refused like a malformed URL.
    expect(trusted).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ELECTRON_RENDERER_URL "localhost:5173" is not a URL with an origin'));
    expect(isTrustedUrl('http://localhost:5173/', trusted)).toBe(false);
    expect(trustedOrigins('http://[', warn)).toEqual([]);
  });
});
