import { BrowserWindow, shell, type WebContents } from 'electron';

export interface WindowOptions {
  preload: string;
  /** The dev server's URL under `electron-vite dev`, else undefined. */
  rendererUrl: string | undefined;
  rendererFile: string;
}

/** The secure defaults every window gets: isolated, sandboxed, no Node in the page. */
export const secureWebPreferences = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  spellcheck: false,
} as const;

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 960,
    minHeight: 640,
    title: 'P-DASH Lab',
    show: false,
    webPreferences: { ...secureWebPreferences, preload: options.preload },
  });
  lockDownNavigation(window.webContents, options);
  window.once('ready-to-show', () => window.show());
  if (options.rendererUrl !== undefined) void window.loadURL(options.rendererUrl);
  else void window.loadFile(options.rendererFile);
  return window;
}

/** The page may not navigate away or open windows; https links open in the user's browser instead. */
export function lockDownNavigation(contents: WebContents, options: Pick<WindowOptions, 'rendererUrl'>): void {
  contents.on('will-navigate', (event, url) => {
    if (options.rendererUrl !== undefined && url.startsWith(options.rendererUrl)) return;
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
