/**
 * The engine page's preload (Electron's hidden engine window, src/main/electron/window-engine-host.ts): exposes
 * only a message bridge, `pdashEngineBridge` (src/worker/browser/host-link.ts's EngineBridge): protocol messages
 * both ways and the page's data requests, on the engine's own channels. Messages that arrive before the page
 * listens are kept until it does.
 */
import { contextBridge, ipcRenderer } from 'electron';

export const ENGINE_POST_CHANNEL = 'pdash-engine:post';
export const ENGINE_DELIVER_CHANNEL = 'pdash-engine:deliver';
export const ENGINE_REQUEST_CHANNEL = 'pdash-engine:request';

const listeners: Array<(message: unknown) => void> = [];
const queued: unknown[] = [];
ipcRenderer.on(ENGINE_DELIVER_CHANNEL, (_event: unknown, message: unknown) => {
  if (listeners.length === 0) queued.push(message);
  else for (const listener of listeners) listener(message);
});

contextBridge.exposeInMainWorld('pdashEngineBridge', {
  post: (message: unknown) => ipcRenderer.send(ENGINE_POST_CHANNEL, message),
  onMessage: (listener: (message: unknown) => void) => {
    listeners.push(listener);
    for (const message of queued.splice(0)) listener(message);
  },
  request: (request: unknown) => ipcRenderer.invoke(ENGINE_REQUEST_CHANNEL, request),
});
