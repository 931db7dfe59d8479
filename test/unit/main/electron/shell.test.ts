import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary cannot be downloaded on the project's machines: the shell is tested against a mock of
// the few electron APIs it uses, recording what it asked for.
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, request: unknown) => Promise<unknown>>();
  const windows: Array<{ options: Record<string, unknown>; contents: ReturnType<typeof makeContents> }> = [];
  function makeContents() {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    return {
      listeners,
      windowOpenHandler: null as null | ((details: { url: string }) => { action: string }),
      on(event: string, listener: (...args: unknown[]) => void) {
        listeners.set(event, listener);
      },
      setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
        this.windowOpenHandler = handler;
      },
    };
  }
  class BrowserWindow {
    webContents = makeContents();
    constructor(options: Record<string, unknown>) {
      windows.push({ options, contents: this.webContents });
    }
    once(): void {}
    loadURL(): Promise<void> {
      return Promise.resolve();
    }
    loadFile(): Promise<void> {
      return Promise.resolve();
    }
  }
  const exposed: Record<string, unknown> = {};
  return {
    handlers,
    windows,
    exposed,
    openExternal: vi.fn(() => Promise.resolve()),
    ipcRendererInvoke: vi.fn((channel: string, request: unknown) => Promise.resolve({ ok: true, response: { channel, request } })),
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, handler: (event: unknown, request: unknown) => Promise<unknown>) => handlers.set(channel, handler),
      removeHandler: (channel: string) => handlers.delete(channel),
    },
  };
});

vi.mock('electron', () => ({
  BrowserWindow: electron.BrowserWindow,
  ipcMain: electron.ipcMain,
  shell: { openExternal: electron.openExternal },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (electron.exposed[key] = api) },
  ipcRenderer: { invoke: electron.ipcRendererInvoke, on: vi.fn(), removeListener: vi.fn() },
}));

const { createMainWindow, secureWebPreferences } = await import('../../../../src/main/electron/window.ts');
const { appPageCheck, registerContractHandlers } = await import('../../../../src/main/electron/ipc.ts');
const { channelNames } = await import('../../../../src/shared/contract/index.ts');

beforeEach(() => {
  electron.handlers.clear();
  electron.windows.length = 0;
});

describe('the main window', () => {
  it('is isolated and sandboxed, with no Node in the page', () => {
    createMainWindow({ preload: '/app/out/preload/index.js', rendererUrl: undefined, rendererFile: '/app/out/renderer/index.html' });
    const prefs = electron.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe('/app/out/preload/index.js');
    expect(secureWebPreferences.sandbox).toBe(true);
  });

  it('blocks navigation away from the app and every new window', () => {
    createMainWindow({ preload: 'p', rendererUrl: undefined, rendererFile: '/app/out/renderer/index.html' });
    const contents = electron.windows[0]!.contents;
    const event = { preventDefault: vi.fn() };
    contents.listeners.get('will-navigate')?.(event, 'https://example.com/');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/paper' })).toEqual({ action: 'deny' });
    expect(electron.openExternal).toHaveBeenCalledWith('https://example.com/paper');
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electron.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('contract handlers over IPC', () => {
  const core = { request: vi.fn((channel: unknown) => Promise.resolve({ answered: channel })) };
  const isOurs = appPageCheck(undefined, '/app/out/renderer/index.html');

  it('registers one handler per contract channel', () => {
    registerContractHandlers(electron.ipcMain as never, core as never, isOurs);
    expect([...electron.handlers.keys()].sort()).toEqual([...channelNames].sort());
  });

  it('answers our own page and refuses any other frame', async () => {
    registerContractHandlers(electron.ipcMain as never, core as never, isOurs);
    const handler = electron.handlers.get('lab/info')!;
    await expect(handler({ senderFrame: { url: 'file:///app/out/renderer/index.html' } }, {})).resolves.toEqual({ ok: true, response: { answered: 'lab/info' } });
    const refused = (await handler({ senderFrame: { url: 'https://evil.example/' } }, {})) as { ok: boolean; error: { code: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('unauthorized');
    expect(core.request).toHaveBeenCalledTimes(1);
  });

  it('returns the core errors with their code and hint', async () => {
    const { LabError } = await import('../../../../src/shared/errors.ts');
    const failing = { request: () => Promise.reject(new LabError('bad-request', 'Malformed.', 'Fix it.')) };
    registerContractHandlers(electron.ipcMain as never, failing as never, isOurs);
    const reply = await electron.handlers.get('lab/info')!({ senderFrame: { url: 'file:///app/out/renderer/index.html' } }, { x: 1 });
    expect(reply).toEqual({ ok: false, error: { code: 'bad-request', message: 'Malformed.', hint: 'Fix it.' } });
  });
});

describe('the preload bridge', () => {
  it('exposes only invoke and onEvent, and refuses channels outside the contract', async () => {
    await import('../../../../src/preload/index.ts');
    const bridge = electron.exposed.pdash as { invoke: (c: string, r: unknown) => Promise<{ ok: boolean; error?: { code: string } }>; onEvent: unknown };
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'onEvent']);
    const refused = await bridge.invoke('shell/exec', {});
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('unknown-channel');
    expect(electron.ipcRendererInvoke).not.toHaveBeenCalled();
    await bridge.invoke('lab/info', {});
    expect(electron.ipcRendererInvoke).toHaveBeenCalledWith('lab/info', {});
  });
});
