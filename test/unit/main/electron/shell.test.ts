import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary cannot be downloaded on the project's machines: the shell is tested against a mock of
// the few electron APIs it uses, recording what it asked for.
const electron = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, request: unknown) => Promise<unknown>>();
  const windows: Array<{ options: Record<string, unknown>; contents: ReturnType<typeof makeContents>; loaded?: string }> = [];
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
    loadURL(url: string): Promise<void> {
      windows.at(-1)!.loaded = url;
      return Promise.resolve();
    }
    loadFile(file: string): Promise<void> {
      windows.at(-1)!.loaded = `file:${file}`;
      return Promise.resolve();
    }
  }
  const exposed: Record<string, unknown> = {};
  return {
    handlers,
    windows,
    exposed,
    openExternal: vi.fn((_url: string) => Promise.resolve()),
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

const { createMainWindow, openExternalLink, secureWebPreferences } = await import('../../../../src/main/electron/window.ts');
const { APP_ORIGIN, trustedOrigins } = await import('../../../../src/main/electron/origins.ts');
const { appPageCheck, registerContractHandlers } = await import('../../../../src/main/electron/ipc.ts');
const { channelNames } = await import('../../../../src/shared/contract/index.ts');

beforeEach(() => {
  electron.handlers.clear();
  electron.windows.length = 0;
  electron.openExternal.mockClear();
});

describe('the main window', () => {
  it('is isolated and sandboxed, with no Node in the page', () => {
    createMainWindow({ preload: '/app/out/preload/index.js', rendererUrl: undefined, trusted: [APP_ORIGIN] });
    const prefs = electron.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(prefs.preload).toBe('/app/out/preload/index.js');
    expect(secureWebPreferences.sandbox).toBe(true);
  });

  it('loads the packaged app from app://pdash/, not file://, and the dev server under electron-vite dev', () => {
    createMainWindow({ preload: 'p', rendererUrl: undefined, trusted: [APP_ORIGIN] });
    createMainWindow({ preload: 'p', rendererUrl: 'http://localhost:5173/', trusted: ['http://localhost:5173'] });
    expect(electron.windows.map((w) => w.loaded)).toEqual(['app://pdash/index.html', 'http://localhost:5173/']);
  });

  it('blocks navigation away from the app and every new window', () => {
    createMainWindow({ preload: 'p', rendererUrl: undefined, trusted: [APP_ORIGIN] });
    const contents = electron.windows[0]!.contents;
    const navigate = (event: string, url: string): boolean => {
      const prevent = { preventDefault: vi.fn() };
      contents.listeners.get(event)?.(prevent, url);
      return prevent.preventDefault.mock.calls.length === 0;
    };
    expect(navigate('will-navigate', 'https://example.com/')).toBe(false);
    expect(navigate('will-navigate', 'file:///app/out/renderer/index.html')).toBe(false);
    expect(navigate('will-navigate', 'app://pdash.evil.example/index.html')).toBe(false);
    expect(navigate('will-redirect', 'https://example.com/')).toBe(false);
    expect(navigate('will-navigate', 'app://pdash/index.html')).toBe(true);
    expect(contents.windowOpenHandler?.({ url: 'https://arxiv.org/abs/2204.07554' })).toEqual({ action: 'deny' });
    expect(electron.openExternal).toHaveBeenCalledWith('https://arxiv.org/abs/2204.07554');
    expect(contents.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(contents.windowOpenHandler?.({ url: 'https://example.com/paper' })).toEqual({ action: 'deny' });
    expect(electron.openExternal).toHaveBeenCalledTimes(1);
  });

  it('in dev mode trusts the dev server by exact origin, not by prefix (issue #10)', () => {
    const rendererUrl = 'http://localhost:5173';
    createMainWindow({ preload: 'p', rendererUrl, trusted: trustedOrigins(rendererUrl) });
    const contents = electron.windows[0]!.contents;
    const allowed = (url: string): boolean => {
      const prevent = { preventDefault: vi.fn() };
      contents.listeners.get('will-navigate')?.(prevent, url);
      return prevent.preventDefault.mock.calls.length === 0;
    };
    expect(allowed('http://localhost:5173/#/datasets')).toBe(true);
    expect(allowed('http://localhost:5173.evil.example/')).toBe(false);
    expect(allowed('http://localhost:51730/')).toBe(false);
    expect(allowed('http://localhost:5173@evil.example/')).toBe(false);
    expect(allowed('app://pdash/index.html')).toBe(false);
  });
});

describe('links opened outside the app', () => {
  beforeEach(() => electron.openExternal.mockClear());

  it('opens https links to the allowed hosts', () => {
    const warn = vi.fn();
    for (const url of ['https://github.com/sjunhongshen/DASH', 'https://arxiv.org/abs/2204.07554', 'https://proceedings.neurips.cc/paper/2022', 'https://openreview.net/forum?id=PKubaeJkw3']) {
      expect(openExternalLink(url, electron.openExternal, warn)).toBe(true);
    }
    expect(electron.openExternal.mock.calls.map(([url]) => url)).toEqual([
      'https://github.com/sjunhongshen/DASH',
      'https://arxiv.org/abs/2204.07554',
      'https://proceedings.neurips.cc/paper/2022',
      'https://openreview.net/forum?id=PKubaeJkw3',
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it.each([
    ['https://evil.example/phish', 'evil.example is not one of the allowed hosts'],
    ['https://github.com.evil.example/', 'github.com.evil.example is not one of the allowed hosts'],
    ['https://gist.github.com/x', 'gist.github.com is not one of the allowed hosts'],
    ['http://arxiv.org/abs/2204.07554', 'only https links open outside the app, not http:'],
    ['file:///etc/passwd', 'only https links open outside the app, not file:'],
    ['javascript:alert(1)', 'only https links open outside the app, not javascript:'],
    ['smb://attacker/share', 'only https links open outside the app, not smb:'],
    ['https://user:pw@github.com/', 'it carries credentials'],
    ['https://github.com:8443/', 'it names port 8443'],
    ['https://[', 'it is not a valid URL'],
  ])('refuses %s with a logged reason', (url, reason) => {
    const warn = vi.fn();
    expect(openExternalLink(url, electron.openExternal, warn)).toBe(false);
    expect(electron.openExternal).not.toHaveBeenCalled();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain(`refused to open ${JSON.stringify(url)} outside the app: ${reason}`);
  });
});

describe('contract handlers over IPC', () => {
  const core = { request: vi.fn((channel: unknown) => Promise.resolve({ answered: channel })) };
  const isOurs = appPageCheck([APP_ORIGIN]);

  it('registers one handler per contract channel', () => {
    registerContractHandlers(electron.ipcMain as never, core as never, isOurs);
    expect([...electron.handlers.keys()].sort()).toEqual([...channelNames].sort());
  });

  it('answers our own page and refuses any other frame', async () => {
    registerContractHandlers(electron.ipcMain as never, core as never, isOurs);
    const handler = electron.handlers.get('lab/info')!;
    await expect(handler({ senderFrame: { url: 'app://pdash/index.html#/datasets' } }, {})).resolves.toEqual({ ok: true, response: { answered: 'lab/info' } });
    const refused = (await handler({ senderFrame: { url: 'https://evil.example/' } }, {})) as { ok: boolean; error: { code: string } };
    expect(refused.ok).toBe(false);
    expect(refused.error.code).toBe('unauthorized');
    expect(core.request).toHaveBeenCalledTimes(1);
  });

  it('refuses look-alike and opaque origins: file://, app://pdash.evil, null frames', async () => {
    core.request.mockClear();
    registerContractHandlers(electron.ipcMain as never, core as never, isOurs);
    const handler = electron.handlers.get('lab/info')!;
    for (const url of ['file:///app/out/renderer/index.html', 'app://pdash.evil.example/index.html', 'app://pdash:1/index.html', 'app://x@pdash/', 'data:text/html,<p>', 'about:blank', '']) {
      const reply = (await handler({ senderFrame: url === '' ? null : { url } }, {})) as { ok: boolean; error: { code: string } };
      expect(reply, url).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    }
    expect(core.request).not.toHaveBeenCalled();
  });

  it('in dev mode answers the dev server and refuses http://localhost:5173.evil.example (issue #10)', async () => {
    core.request.mockClear();
    registerContractHandlers(electron.ipcMain as never, core as never, appPageCheck(trustedOrigins('http://localhost:5173')));
    const handler = electron.handlers.get('lab/info')!;
    const reply = (url: string) => handler({ senderFrame: { url } }, {}) as Promise<{ ok: boolean; error?: { code: string; message: string } }>;
    expect((await reply('http://localhost:5173/#/experiments')).ok).toBe(true);
    const refused = await reply('http://localhost:5173.evil.example/');
    expect(refused.ok).toBe(false);
    expect(refused.error?.code).toBe('unauthorized');
    expect(refused.error?.message).toContain('http://localhost:5173.evil.example/');
    expect((await reply('https://localhost:5173/')).ok).toBe(false);
    expect(core.request).toHaveBeenCalledTimes(1);
  });

  it('returns the core errors with their code and hint', async () => {
    const { LabError } = await import('../../../../src/shared/errors.ts');
    const failing = { request: () => Promise.reject(new LabError('bad-request', 'Malformed.', 'Fix it.')) };
    registerContractHandlers(electron.ipcMain as never, failing as never, isOurs);
    const reply = await electron.handlers.get('lab/info')!({ senderFrame: { url: 'app://pdash/index.html' } }, { x: 1 });
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
