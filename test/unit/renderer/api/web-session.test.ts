import { afterEach, describe, expect, it } from 'vitest';
import { resolveSessionToken, rpcUrl } from '../../../../src/renderer/api/web-session.ts';

afterEach(() => {
  window.sessionStorage.clear();
});

describe('resolveSessionToken', () => {
  it('takes the token from the query string and remembers it', () => {
    expect(resolveSessionToken('?token=first', window.sessionStorage)).toBe('first');
    expect(resolveSessionToken('', window.sessionStorage)).toBe('first');
  });

  it('lets a new token in the address replace the remembered one', () => {
    resolveSessionToken('?token=old', window.sessionStorage);
    expect(resolveSessionToken('?token=new&x=1', window.sessionStorage)).toBe('new');
    expect(resolveSessionToken('', window.sessionStorage)).toBe('new');
  });

  it('is null when neither the address nor the tab has one; an empty token counts as none', () => {
    expect(resolveSessionToken('', window.sessionStorage)).toBeNull();
    expect(resolveSessionToken('?token=', window.sessionStorage)).toBeNull();
  });
});

describe('rpcUrl', () => {
  it('uses ws: beside http: and wss: beside https:, and escapes the token', () => {
    expect(rpcUrl({ protocol: 'http:', host: 'localhost:8710' }, 'a b')).toBe('ws://localhost:8710/rpc?token=a%20b');
    expect(rpcUrl({ protocol: 'https:', host: 'lab.example:443' }, 't')).toBe('wss://lab.example:443/rpc?token=t');
  });
});
