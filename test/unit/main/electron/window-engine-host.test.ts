import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunJob } from '../../../../src/worker/index.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

// The Electron binary cannot be downloaded on the project's machines: the host is tested against a mock of the
// few electron APIs it uses, recording what it asked for.
const electron = vi.hoisted(() => {
  const ipcListeners = new Map<string, (event: { sender: { id: number } }, message: unknown) => void>();
  const ipcHandlers = new Map<string, (event: { sender: { id: number } }, request: unknown) => unknown>();
  const windows: MockWindow[] = [];
  let nextId = 1;
  class MockWindow {
    readonly options: Record<string, unknown>;
    loaded: string | null = null;
    destroyed = false;
    readonly listeners = new Map<string, () => void>();
    readonly sent: Array<{ channel: string; message: unknown }> = [];
    readonly contentsListeners = new Map<string, (event: unknown, details: { reason: string; exitCode: number }) => void>();
    readonly webContents = {
      id: nextId++,
      send: (channel: string, message: unknown) => this.sent.push({ channel, message }),
      on: (event: string, listener: (event: unknown, details: { reason: string; exitCode: number }) => void) => this.contentsListeners.set(event, listener),
      getOSProcessId: () => 4242,
    };
    constructor(options: Record<string, unknown>) {
      this.options = options;
      windows.push(this);
    }
    on(event: string, listener: () => void): void {
      this.listeners.set(event, listener);
    }
    loadURL(url: string): Promise<void> {
      this.loaded = url;
      return Promise.resolve();
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    destroy(): void {
      this.destroyed = true;
      this.listeners.get('closed')?.();
    }
  }
  return {
    ipcListeners,
    ipcHandlers,
    windows,
    BrowserWindow: MockWindow,
    ipcMain: {
      on: (channel: string, listener: (event: { sender: { id: number } }, message: unknown) => void) => ipcListeners.set(channel, listener),
      handle: (channel: string, handler: (event: { sender: { id: number } }, request: unknown) => unknown) => ipcHandlers.set(channel, handler),
      removeHandler: (channel: string) => ipcHandlers.delete(channel),
      removeAllListeners: (channel: string) => ipcListeners.delete(channel),
    },
    app: { getAppMetrics: () => [{ pid: 4242, cpu: { cumulativeCPUUsage: 1.5 } }] },
  };
});

vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow, ipcMain: electron.ipcMain, app: electron.app, shell: { openExternal: vi.fn() } }));

const { ENGINE_DELIVER_CHANNEL, ENGINE_POST_CHANNEL, ENGINE_REQUEST_CHANNEL, WindowEngineHost } = await import('../../../../src/main/electron/window-engine-host.ts');

let dir: ReturnType<typeof tempDir>;
let host: InstanceType<typeof WindowEngineHost>;

beforeEach(() => {
  dir = tempDir();
  electron.windows.length = 0;
  host = new WindowEngineHost({ preload: '/app/out/preload/engine-bridge.js' });
});
afterEach(() => {
  host.close();
  dir.remove();
});

function job(): RunJob {
  const data = join(dir.path, 'data');
  mkdirSync(data, { recursive: true });
  const file = (name: string): string => {
    const path = join(data, name);
    writeFileSync(path, Buffer.from(Array.from({ length: 64 }, (_, i) => i)));
    return path;
  };
  const split = (s: string) => ({ x: file(`${s}-x.npy`), y: file(`${s}-y.npy`) });
  return {
    runId: 7,
    method: 'dash',
    seed: 0,
    config: {} as RunJob['config'],
    dataset: {
      name: 'toy',
      kind: 'classification',
      metric: 'error',
      xShape: [32, 1],
      yShape: [],
      classes: 2,
      splits: { train: split('train'), val: split('val'), test: split('test') },
      normalization: { eps: 1e-5, x: { mode: 'channel', mean: file('x-mean.npy'), std: file('x-std.npy') }, y: null },
    },
    checkpointPath: join(dir.path, 'checkpoint.pdck'),
    resume: false,
  };
}

const fromPage = (window: (typeof electron.windows)[number], message: unknown): void => electron.ipcListeners.get(ENGINE_POST_CHANNEL)!({ sender: { id: window.webContents.id } }, message);
const ask = (window: (typeof electron.windows)[number], request: unknown) => electron.ipcHandlers.get(ENGINE_REQUEST_CHANNEL)!({ sender: { id: window.webContents.id } }, request) as Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;

describe('WindowEngineHost (Electron hidden engine windows)', () => {
  it('opens a hidden, isolated, sandboxed window with the engine preload on app://pdash/engine.html', () => {
    host.start({ name: 'run-1' });
    const [window] = electron.windows;
    expect(window!.options.show).toBe(false);
    expect(window!.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, preload: '/app/out/preload/engine-bridge.js', backgroundThrottling: false });
    expect(window!.loaded).toBe('app://pdash/engine.html');
  });

  it('routes each page\'s messages to its own worker, validated, and ignores other senders', () => {
    const a = host.start({ name: 'a' });
    const b = host.start({ name: 'b' });
    const [wa, wb] = electron.windows;
    const got: Array<[string, unknown]> = [];
    a.onMessage((m) => got.push(['a', m]));
    b.onMessage((m) => got.push(['b', m]));
    fromPage(wb!, { type: 'ready', pid: 0 });
    fromPage(wa!, { type: 'usage', cpuMs: -1, wallMs: 0 });
    electron.ipcListeners.get(ENGINE_POST_CHANNEL)!({ sender: { id: 999 } }, { type: 'ready', pid: 0 });
    expect(got[0]).toEqual(['b', { type: 'ready', pid: 0 }]);
    expect(got[1]![0]).toBe('a');
    expect(got[1]![1]).toMatchObject({ type: 'error', error: { code: 'internal' } });
    expect(got).toHaveLength(2);
    a.send({ type: 'probe' });
    expect(wa!.sent).toEqual([{ channel: ENGINE_DELIVER_CHANNEL, message: { type: 'probe' } }]);
    expect(wb!.sent).toEqual([]);
  });

  it('answers data requests for the files of the job it was sent, and nothing else', async () => {
    const worker = host.start({ name: 'run-7' });
    const [window] = electron.windows;
    expect((await ask(window!, { op: 'size', file: '/etc/passwd' })).error?.code).toBe('conflict'); // no job yet
    const sent = job();
    worker.send({ type: 'run', job: sent });
    expect(await ask(window!, { op: 'size', file: sent.dataset.splits.train.x })).toEqual({ ok: true, value: 64 });
    expect(await ask(window!, { op: 'read', file: sent.dataset.splits.val.y, offset: 10, length: 4 })).toEqual({ ok: true, value: new Uint8Array([10, 11, 12, 13]) });
    const outside = await ask(window!, { op: 'read', file: '/etc/passwd', offset: 0, length: 4 });
    expect(outside.error).toMatchObject({ code: 'unauthorized' });
    expect((await ask(window!, { op: 'read-checkpoint' })).error?.message).toContain('cannot be read');
    expect(await ask(window!, { op: 'write-checkpoint', bytes: new Uint8Array([1, 2, 3]) })).toEqual({ ok: true, value: null });
    expect(await ask(window!, { op: 'usage' })).toMatchObject({ ok: true, value: { cpuMs: 1500 } });
    expect((await ask(electron.windows[0]!, { op: 'nonsense' })).error?.code).toBe('bad-request');
    expect((await electron.ipcHandlers.get(ENGINE_REQUEST_CHANNEL)!({ sender: { id: 999 } }, { op: 'usage' }) as { ok: boolean }).ok).toBe(false);
  });

  it('reports an exit when the page crashes, when its window closes, and when it is killed or shut down', () => {
    const exits: Array<[string, unknown]> = [];
    const names = ['crash', 'close', 'kill', 'shutdown'];
    const workers = names.map((name) => {
      const w = host.start({ name });
      w.onExit((exit) => exits.push([name, exit]));
      return w;
    });
    const [crash, close] = electron.windows;
    crash!.contentsListeners.get('render-process-gone')!({}, { reason: 'crashed', exitCode: 139 });
    close!.listeners.get('closed')!();
    workers[2]!.kill();
    workers[3]!.send({ type: 'shutdown' });
    expect(exits).toEqual([
      ['crash', { code: 139, signal: 'crashed' }],
      ['close', { code: 0, signal: null }],
      ['kill', { code: null, signal: 'SIGTERM' }],
      ['shutdown', { code: 0, signal: null }],
    ]);
    expect(electron.windows.map((w) => w.destroyed)).toEqual([true, false, true, true]);
    expect(electron.windows[3]!.sent.at(-1)).toEqual({ channel: ENGINE_DELIVER_CHANNEL, message: { type: 'shutdown' } });
    expect(() => workers[2]!.send({ type: 'probe' })).toThrow(/no longer running/);
  });
});
