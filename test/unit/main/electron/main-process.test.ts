import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { channelNames } from '../../../../src/shared/contract/index.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

// The Electron binary cannot be downloaded here: the main process runs against a recording mock of electron.
const dir = tempDir();
const electron = vi.hoisted(() => {
  const appHandlers = new Map<string, () => void>();
  const handled: string[] = [];
  const windows: Array<Record<string, unknown>> = [];
  const protocolCalls: string[] = [];
  const schemes: unknown[] = [];
  const protocolHandlers = new Map<string, (request: Request) => Promise<Response> | Response>();
  const switches: Array<{ args: string[]; beforeReady: boolean }> = [];
  const state = { ready: false, headersListener: null as null | ((details: { responseHeaders: Record<string, string[]> }, cb: (r: { responseHeaders: Record<string, string[]> }) => void) => void), permission: null as null | ((c: unknown, p: string, cb: (ok: boolean) => void) => void), userData: '' };
  class BrowserWindow {
    static getAllWindows = () => windows;
    webContents = { on: () => undefined, setWindowOpenHandler: () => undefined, isDestroyed: () => false, send: () => undefined };
    constructor(options: Record<string, unknown>) {
      windows.push(options);
    }
    once(): void {}
    on(): void {}
    loadURL(url: string): Promise<void> {
      windows.at(-1)!.loaded = url;
      return Promise.resolve();
    }
    loadFile(): Promise<void> {
      return Promise.resolve();
    }
  }
  return { appHandlers, handled, windows, state, protocolCalls, schemes, protocolHandlers, BrowserWindow, switches };
});

vi.mock('electron', () => ({
  app: {
    isPackaged: true,
    whenReady: () => {
      electron.state.ready = true;
      return Promise.resolve();
    },
    getPath: (name: string) => (name === 'userData' ? electron.state.userData : ''),
    on: (event: string, handler: () => void) => electron.appHandlers.set(event, handler),
    quit: vi.fn(),
    exit: vi.fn(),
    commandLine: { appendSwitch: (...args: string[]) => electron.switches.push({ args, beforeReady: !electron.state.ready }) },
  },
  BrowserWindow: electron.BrowserWindow,
  protocol: {
    registerSchemesAsPrivileged: (schemes: unknown[]) => {
      electron.protocolCalls.push(electron.state.ready ? 'register after ready' : 'register before ready');
      electron.schemes.push(...schemes);
    },
    handle: (scheme: string, handler: (request: Request) => Promise<Response>) => {
      electron.protocolCalls.push(electron.state.ready ? `handle ${scheme} after ready` : `handle ${scheme} before ready`);
      electron.protocolHandlers.set(scheme, handler);
    },
  },
  ipcMain: { handle: (channel: string) => electron.handled.push(channel), removeHandler: vi.fn(), on: vi.fn(), removeListener: vi.fn() },
  session: {
    defaultSession: {
      webRequest: { onHeadersReceived: (listener: typeof electron.state.headersListener) => (electron.state.headersListener = listener) },
      setPermissionRequestHandler: (handler: typeof electron.state.permission) => (electron.state.permission = handler),
    },
  },
  shell: { openExternal: vi.fn() },
  utilityProcess: { fork: vi.fn() },
}));

afterAll(() => {
  electron.appHandlers.get('will-quit')?.();
  dir.remove();
});

describe('the Electron main process', () => {
  it('opens the lab in userData, registers every channel, sets the CSP, denies permissions and opens one sandboxed window', async () => {
    electron.state.userData = join(dir.path, 'userData');
    const { ready } = await import('../../../../src/main/electron/index.ts');
    const core = (await ready)!;
    expect(core.paths.root).toBe(join(dir.path, 'userData'));
    expect(core.frontDoor).toBe('electron');
    expect(core.workerHost.kind).toBe('utility');
    // PDF reports are printed by Electron's own Chromium, not a browser the machine may lack.
    expect(core.printPdf?.name).toBe('printHtmlToPdf');
    // The contract's channels, and the engine windows' data channel (window-engine-host.ts).
    expect([...electron.handled].sort()).toEqual([...channelNames, 'pdash-engine:request'].sort());
    // webgpu runs in the app's own hidden engine windows, with WebGPU switched on before ready.
    expect(core.browserHost()?.kind).toBe('browser');
    expect(core.browserHost()?.constructor.name).toBe('WindowEngineHost');
    expect(electron.switches).toEqual([
      { args: ['enable-unsafe-webgpu'], beforeReady: true },
      { args: ['enable-features', 'Vulkan'], beforeReady: true },
    ]);

    let headers: Record<string, string[]> = {};
    electron.state.headersListener!({ responseHeaders: { 'X-Test': ['1'] } }, (r) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy']?.[0]).toContain("script-src 'self'");
    expect(headers['X-Test']).toEqual(['1']);

    let granted: boolean | null = null;
    electron.state.permission!(null, 'media', (ok) => (granted = ok));
    expect(granted).toBe(false);

    const prefs = electron.windows.at(-1)!.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.js$/);
  });

  it('serves the packaged renderer from a privileged app:// scheme registered before ready, with the CSP as a header', async () => {
    await import('../../../../src/main/electron/index.ts');
    expect(electron.protocolCalls).toEqual(['register before ready', 'handle app after ready']);
    expect(electron.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(electron.windows.at(-1)!.loaded).toBe('app://pdash/index.html');
    // The handler serves out/renderer relative to the main bundle; under test that folder is src/main/renderer,
    // which does not exist, so the answer is a 404 that still carries the policy.
    const response = await electron.protocolHandlers.get('app')!(new Request('app://pdash/index.html'));
    expect(response.status).toBe(404);
    expect(response.headers.get('Content-Security-Policy')).toContain("connect-src 'self'");
  });
});
