import { afterEach, describe, expect, it, vi } from 'vitest';
import { LabError } from '../../../../src/shared/errors.ts';
import type { IpcReply } from '../../../../src/shared/rpc.ts';
import { connectToLab } from '../../../../src/renderer/api/connect.ts';
import type { PdashBridge } from '../../../../src/renderer/api/ipc-transport.ts';
import type { LabClient } from '../../../../src/renderer/api/lab-client.ts';
import { sampleLabInfo } from '../fake-transport.ts';

/** What the Electron preload would put on window.pdash, answering from a table. */
function fakeBridge(answer: (channel: string, request: unknown) => Promise<IpcReply>): PdashBridge & {
  emit(event: string, payload: unknown): void;
} {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  return {
    invoke: vi.fn(answer),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit(event, payload) {
      for (const listener of listeners) listener(event, payload);
    },
  };
}

function connectThroughWindow(bridge: PdashBridge): LabClient {
  window.pdash = bridge;
  return connectToLab({
    bridge: window.pdash,
    location: window.location,
    storage: window.sessionStorage,
    createSocket: () => {
      throw new Error('Electron must not open a WebSocket');
    },
  });
}

async function rejection(promise: Promise<unknown>): Promise<LabError> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof LabError)) throw new Error(`expected a LabError, got ${String(outcome)}`);
  return outcome;
}

/** The contract has no events yet: subscribe by name through the untyped view of `on`. */
function onAnyEvent(client: LabClient, event: string, listener: (payload: unknown) => void): () => void {
  return (client.on as (event: string, listener: (payload: unknown) => void) => () => void)(event, listener);
}

afterEach(() => {
  delete window.pdash;
});

describe('IPC transport (Electron preload bridge)', () => {
  it('is chosen when window.pdash exists, and is always connected', () => {
    const client = connectThroughWindow(fakeBridge(async () => ({ ok: true, response: null })));
    expect(client.transport).toBe('ipc');
    expect(client.connectionStatus()).toBe('connected');
  });

  it('passes the channel and request to the bridge and resolves with the response', async () => {
    const bridge = fakeBridge(async () => ({ ok: true, response: sampleLabInfo }));
    const client = connectThroughWindow(bridge);

    expect(await client.invoke('lab/info', {})).toEqual(sampleLabInfo);
    expect(bridge.invoke).toHaveBeenCalledWith('lab/info', {});
  });

  it('rebuilds an error reply as a LabError with its code and hint', async () => {
    const client = connectThroughWindow(
      fakeBridge(async () => ({
        ok: false,
        error: { code: 'unavailable', message: 'The lab folder is on a read-only disk.', hint: 'Choose another with --lab.' },
      })),
    );

    const error = await rejection(client.invoke('lab/info', {}));

    expect(error.code).toBe('unavailable');
    expect(error.message).toBe('The lab folder is on a read-only disk.');
    expect(error.hint).toBe('Choose another with --lab.');
  });

  it('turns a bridge that throws into an unavailable LabError naming the channel', async () => {
    const client = connectThroughWindow(
      fakeBridge(async () => {
        throw new Error("No handler registered for 'pdash:invoke'");
      }),
    );

    const error = await rejection(client.invoke('lab/info', {}));

    expect(error.code).toBe('unavailable');
    expect(error.message).toContain("'lab/info'");
    expect(error.message).toContain('No handler registered');
  });

  it('refuses a reply that is not an IpcReply, and an error that is not a SerializedLabError', async () => {
    const malformedReply = connectThroughWindow(fakeBridge(async () => 'yes' as unknown as IpcReply));
    expect((await rejection(malformedReply.invoke('lab/info', {}))).code).toBe('internal');

    const malformedError = connectThroughWindow(
      fakeBridge(async () => ({ ok: false, error: { reason: 'nope' } }) as unknown as IpcReply),
    );
    const error = await rejection(malformedError.invoke('lab/info', {}));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('"reason":"nope"');
  });

  it('delivers events by name to each listener until it unsubscribes', () => {
    const bridge = fakeBridge(async () => ({ ok: true, response: null }));
    const client = connectThroughWindow(bridge);
    const progress: unknown[] = [];
    const finished: unknown[] = [];
    const stopProgress = onAnyEvent(client, 'runs/progress', (payload) => progress.push(payload));
    onAnyEvent(client, 'runs/finished', (payload) => finished.push(payload));

    bridge.emit('runs/progress', { step: 1 });
    bridge.emit('runs/finished', { runId: 4 });
    stopProgress();
    bridge.emit('runs/progress', { step: 2 });

    expect(progress).toEqual([{ step: 1 }]);
    expect(finished).toEqual([{ runId: 4 }]);
  });
});
