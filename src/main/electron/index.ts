/**
 * Electron main process: app lifecycle, the window, IPC registration and the utilityProcess worker host.
 * The only folder (with src/preload) that imports electron; everything else is the lab core.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, ipcMain, protocol, session } from 'electron';
import workerEntry from '../../worker/main.ts?modulePath';
import { rendererContentSecurityPolicy } from '../../shared/renderer-policy.ts';
import { LabCore, resolveLabDir } from '../core/index.ts';
import { registerAppScheme, serveAppProtocol } from './app-protocol.ts';
import { appPageCheck, forwardEvents, registerContractHandlers } from './ipc.ts';
import { trustedOrigins } from './origins.ts';
import { printHtmlToPdf } from './print-pdf.ts';
import { UtilityWorkerHost } from './utility-host.ts';
import { WindowEngineHost } from './window-engine-host.ts';
import { createMainWindow } from './window.ts';

// The bundle is CommonJS (__dirname); the source, as tests load it, is an ES module.
const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
const rendererDir = join(here, '../renderer');
const rendererUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const trusted = trustedOrigins(rendererUrl);

// Electron accepts privileged schemes only before ready.
registerAppScheme(protocol);
// The engine windows compute with WebGPU (the webgpu backend): Chromium exposes it to them with these switches,
// which take effect only when set before ready. Vulkan is Linux's path to the GPU; macOS and Windows use Metal, D3D12.
app.commandLine.appendSwitch('enable-unsafe-webgpu');
app.commandLine.appendSwitch('enable-features', 'Vulkan');

async function start(): Promise<LabCore> {
  await app.whenReady();
  const labFlagIndex = process.argv.indexOf('--lab');
  const core = LabCore.open({
    labDir: resolveLabDir({ flag: labFlagIndex >= 0 ? process.argv[labFlagIndex + 1] : undefined, electronUserData: app.getPath('userData') }),
    frontDoor: 'electron',
    workerHost: new UtilityWorkerHost(workerEntry),
    // webgpu runs in hidden engine windows of this app (utility processes have no WebGPU), not in a second browser.
    browserHost: new WindowEngineHost({ preload: join(here, '../preload/engine-bridge.js') }),
    printPdf: printHtmlToPdf,
  });
  // app:// responses carry the CSP themselves (app-protocol.ts); this header covers the dev server's.
  serveAppProtocol(protocol, rendererDir);
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [rendererContentSecurityPolicy] } });
  });
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  registerContractHandlers(ipcMain, core, appPageCheck(trusted));
  // Queued runs (also ones left by an earlier session) start here, one at a time by default.
  core.runs.startQueue();

  const open = (): void => {
    const window = createMainWindow({ preload: join(here, '../preload/index.js'), rendererUrl, trusted });
    const stop = forwardEvents(core, window.webContents);
    window.on('closed', stop);
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => core.close());
  return core;
}

/** Resolves with the open lab once the app is up (null if it failed to start and is exiting). */
export const ready: Promise<LabCore | null> = start().catch((error: unknown) => {
  console.error('P-DASH Lab failed to start:', error);
  app.exit(1);
  return null;
});
