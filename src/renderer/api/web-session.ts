/**
 * Web mode's session token: `pdash serve` prints http://127.0.0.1:PORT/?token=..., the page keeps the token in
 * sessionStorage (so a reload or a route without the query string still has it) and hands it to the WebSocket,
 * which the server's cookie does not authorise.
 */
const TOKEN_KEY = 'pdash.session-token';

export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The token from the address (which wins, and is remembered) or from this tab's storage; null when neither has one. */
export function resolveSessionToken(search: string, storage: TokenStorage): string | null {
  const fromAddress = new URLSearchParams(search).get('token');
  if (fromAddress !== null && fromAddress !== '') {
    storage.setItem(TOKEN_KEY, fromAddress);
    return fromAddress;
  }
  const remembered = storage.getItem(TOKEN_KEY);
  return remembered === null || remembered === '' ? null : remembered;
}

/** The lab server's WebSocket endpoint on the host that served the page. */
export function rpcUrl(page: { protocol: string; host: string }, token: string): string {
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${page.host}/rpc?token=${encodeURIComponent(token)}`;
}
