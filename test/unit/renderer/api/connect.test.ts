import { afterEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../src/shared/errors.ts';
import { connectToLab, type PageEnvironment } from '../../../../src/renderer/api/connect.ts';
import type { WebSocketLike } from '../../../../src/renderer/api/websocket-transport.ts';

/** A socket that never opens: these tests look only at which transport is chosen and where it connects. */
function silentSocket(): WebSocketLike {
  return { readyState: 0, send() {}, close() {}, addEventListener() {} };
}

function webPage(search: string, opened: string[]): PageEnvironment {
  return {
    bridge: undefined,
    location: { protocol: 'http:', host: '127.0.0.1:8710', search },
    storage: window.sessionStorage,
    createSocket: (url) => {
      opened.push(url);
      return silentSocket();
    },
  };
}

afterEach(() => {
  window.sessionStorage.clear();
});

describe('connectToLab in web mode', () => {
  it('opens the WebSocket on the same host with the token from the address', () => {
    const opened: string[] = [];
    const client = connectToLab(webPage('?token=abc123', opened));

    expect(client.transport).toBe('websocket');
    expect(client.connectionStatus()).toBe('connecting');
    expect(opened).toEqual(['ws://127.0.0.1:8710/rpc?token=abc123']);
  });

  it('remembers the token for this tab, so that an address without it still connects', () => {
    connectToLab(webPage('?token=abc123', []));
    const opened: string[] = [];
    connectToLab(webPage('', opened));

    expect(opened).toEqual(['ws://127.0.0.1:8710/rpc?token=abc123']);
  });

  it('refuses to start without a token, saying where to find one', () => {
    let thrown: unknown;
    try {
      connectToLab(webPage('', []));
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(LabError);
    expect((thrown as LabError).code).toBe('unauthorized');
    expect((thrown as LabError).hint).toContain('pdash serve');
  });
});
