import { createApp } from 'vue';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import type { LabInfo } from '../../../src/shared/contract/index.ts';
import { createLabClient, type LabClient } from '../../../src/renderer/api/lab-client.ts';
import type { ConnectionStatus, LabTransport, TransportKind } from '../../../src/renderer/api/transport.ts';
import { labClientKey } from '../../../src/renderer/composables/use-lab-client.ts';

type Handler = (request: unknown) => unknown;

/** A transport whose answers, events and connection status the test controls. */
export class FakeTransport implements LabTransport {
  readonly kind: TransportKind;
  readonly sent: { channel: string; request: unknown }[] = [];
  private readonly handlers = new Map<string, Handler>();
  private readonly eventListeners = new Set<(event: string, payload: unknown) => void>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private currentStatus: ConnectionStatus = 'connected';

  constructor(kind: TransportKind = 'websocket') {
    this.kind = kind;
  }

  /** The handler may return a value, a promise, or throw: what it does is what the request does. */
  answer(channel: string, handler: Handler): this {
    this.handlers.set(channel, handler);
    return this;
  }

  async request(channel: string, request: unknown): Promise<unknown> {
    this.sent.push({ channel, request });
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`FakeTransport: no answer set for '${channel}'`);
    return handler(request);
  }

  onEvent(listener: (event: string, payload: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  emitEvent(event: string, payload: unknown): void {
    for (const listener of this.eventListeners) listener(event, payload);
  }

  status(): ConnectionStatus {
    return this.currentStatus;
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  setStatus(status: ConnectionStatus): void {
    this.currentStatus = status;
    for (const listener of this.statusListeners) listener(status);
  }

  close(): void {}
}

/** A promise the test settles by hand, to look at a store while a request is in flight. */
export function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** An app that provides the client, with Pinia installed, as main.ts sets it up; stores can be used at once. */
export function installLab(transport: FakeTransport): { client: LabClient; pinia: Pinia } {
  const client = createLabClient(transport);
  const app = createApp({});
  app.provide(labClientKey, client);
  const pinia = createPinia();
  app.use(pinia);
  setActivePinia(pinia);
  return { client, pinia };
}

export const sampleLabInfo: LabInfo = {
  version: '0.1.0',
  labDir: '/home/ada/pdash-lab',
  frontDoor: 'web',
  compute: {
    backends: [
      { name: 'tensorflow-gpu', available: false, detail: '@tensorflow/tfjs-node-gpu is not installed' },
      { name: 'tensorflow', available: false, detail: '@tensorflow/tfjs-node is not installed' },
      { name: 'wasm', available: true, detail: 'SIMD, 2 threads' },
      { name: 'cpu', available: true, detail: 'pure JavaScript' },
    ],
    preferred: 'wasm',
    tfjsVersion: '4.22.0',
  },
  sqliteVersion: '3.50.4',
  schemaVersion: 3,
  node: '24.21.0',
  platform: 'linux x64',
};
