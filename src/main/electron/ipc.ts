/**
 * The contract over Electron IPC: one handler per contract channel, registered from the contract map. A
 * handler answers only frames that belong to this app, and replies with an IpcReply so that error codes and
 * hints survive the trip (ipcRenderer.invoke would flatten a thrown error into a message).
 */
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import { channelNames } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { IPC_EVENT_CHANNEL, type IpcReply } from '../../shared/rpc.ts';
import type { LabCore } from '../core/index.ts';
import { isTrustedUrl } from './origins.ts';

/** Decides whether an IPC message comes from one of our own pages. */
export type SenderCheck = (url: string) => boolean;

/** Our pages are the ones whose origin is exactly one of `trusted` (origins.ts): no prefix matching, no file://. */
export function appPageCheck(trusted: readonly string[]): SenderCheck {
  return (url) => isTrustedUrl(url, trusted);
}

export function registerContractHandlers(ipcMain: IpcMain, core: LabCore, isOurPage: SenderCheck): () => void {
  for (const channel of channelNames) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, request: unknown): Promise<IpcReply> => {
      const url = event.senderFrame?.url ?? '';
      if (!isOurPage(url)) {
        return { ok: false, error: new LabError('unauthorized', `Refused '${channel}' from a page that is not P-DASH Lab (${url || 'unknown frame'}).`).toJSON() };
      }
      try {
        return { ok: true, response: await core.request(channel, request) };
      } catch (error) {
        return { ok: false, error: LabError.wrap(error).toJSON() };
      }
    });
  }
  return () => {
    for (const channel of channelNames) ipcMain.removeHandler(channel);
  };
}

/** Forwards the core's events to a window. */
export function forwardEvents(core: LabCore, contents: WebContents): () => void {
  return core.events.subscribe((event, payload) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event, payload);
  });
}
