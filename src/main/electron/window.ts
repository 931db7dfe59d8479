import { BrowserWindow, shell, type WebContents } from 'electron';
import { APP_ENTRY_URL, checkExternalLink, isTrustedUrl } from './origins.ts';

export interface WindowOptions {
  preload: string;
  /** The dev server's URL under `electron-vite dev`, else undefined (the app loads from app://pdash/). */
  rendererUrl: string | undefined;
  /** The origins our pages come from (origins.ts trustedOrigins). */
  trusted: readonly string[];
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
  lockDownNavigation(window.webContents, options.trusted);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.rendererUrl ?? APP_ENTRY_URL);
  return window;
}

/**
 * Hands a link to the user's browser only when origins.ts allows it (https, an allowed host); anything else is
 * refused with the reason in the log, since the page that asked has no one to tell.
 */
export function openExternalLink(url: string, open: (url: string) => Promise<void> = (u) => shell.openExternal(u), warn: (message: string) => void = console.warn): boolean {
  const decision = checkExternalLink(url);
  if (!decision.allowed) {
    warn(`P-DASH Lab: refused to open ${JSON.stringify(url)} outside the app: ${decision.reason}.`);
    return false;
  }
  open(decision.url).catch((error: unknown) => warn(`P-DASH Lab: could not open ${decision.url}: ${String(error)}`));
  return true;
}

/**
 * The page may navigate only within its own origin and may open no windows; an allowed https link opens in
 * the user's browser instead.
 */
export function lockDownNavigation(contents: WebContents, trusted: readonly string[]): void {
  const stayInApp = (event: { preventDefault(): void }, url: string): void => {
    if (!isTrustedUrl(url, trusted)) event.preventDefault();
  };
  contents.on('will-navigate', stayInApp);
  // A server redirect is a navigation too (the dev server could be answering for someone else).
  contents.on('will-redirect', stayInApp);
  contents.setWindowOpenHandler(({ url }) => {
    openExternalLink(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}
