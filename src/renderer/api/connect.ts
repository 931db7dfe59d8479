import { LabError } from '../../shared/errors.ts';
import { createIpcTransport, type PdashBridge } from './ipc-transport.ts';
import { createLabClient, type LabClient } from './lab-client.ts';
import { resolveSessionToken, rpcUrl, type TokenStorage } from './web-session.ts';
import { createWebSocketTransport, type WebSocketLike } from './websocket-transport.ts';

/** What the page offers: the Electron bridge, or the address and storage web mode needs. */
export interface PageEnvironment {
  bridge: PdashBridge | undefined;
  location: { protocol: string; host: string; search: string };
  storage: TokenStorage;
  createSocket: (url: string) => WebSocketLike;
}

/** Picks the transport once, at start: the preload bridge inside Electron, else web mode's WebSocket. */
export function connectToLab(page: PageEnvironment): LabClient {
  if (page.bridge !== undefined) return createLabClient(createIpcTransport(page.bridge));
  const token = resolveSessionToken(page.location.search, page.storage);
  if (token === null) {
    throw new LabError(
      'unauthorized',
      'This page has no session token for the lab server.',
      'Open the full address that `pdash serve` printed; it ends in ?token=...',
    );
  }
  return createLabClient(createWebSocketTransport({ url: rpcUrl(page.location, token), createSocket: page.createSocket }));
}
