/**
 * The preload bridge: exposes the typed contract as window.pdash, never ipcRenderer itself. Only channels of
 * the contract can be invoked; only the lab's event channel is listened to.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isChannel, isEventName } from '../shared/contract/index.ts';
import { LabError } from '../shared/errors.ts';
import { IPC_EVENT_CHANNEL, type IpcReply, type PdashBridge } from '../shared/rpc.ts';

export const bridge: PdashBridge = {
  invoke(channel, request) {
    if (!isChannel(channel)) {
      return Promise.resolve({ ok: false, error: new LabError('unknown-channel', `Unknown channel ${JSON.stringify(channel)}.`).toJSON() });
    }
    return ipcRenderer.invoke(channel, request) as Promise<IpcReply>;
  },
  onEvent(listener) {
    const handler = (_event: unknown, name: unknown, payload: unknown): void => {
      if (isEventName(name)) listener(name, payload);
    };
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('pdash', bridge);
