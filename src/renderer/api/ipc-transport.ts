import type { IpcReply, PdashBridge } from '../../shared/rpc.ts';
import { LabError } from '../../shared/errors.ts';
import { labErrorFromWire, type LabTransport } from './transport.ts';

export type { PdashBridge };

function isIpcReply(value: unknown): value is IpcReply {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** The Electron transport: the main process lives as long as the window, so it is always connected. */
export function createIpcTransport(bridge: PdashBridge): LabTransport {
  let closed = false;
  return {
    kind: 'ipc',
    async request(channel, request) {
      if (closed) throw new LabError('cancelled', `'${channel}' was not sent: the lab connection is closed.`);
      let reply: unknown;
      try {
        reply = await bridge.invoke(channel, request);
      } catch (error) {
        // The bridge itself failed (no handler registered, or the main process is shutting down).
        throw new LabError(
          'unavailable',
          `The lab core did not answer '${channel}': ${error instanceof Error ? error.message : String(error)}`,
          'Restart P-DASH Lab. If this keeps happening, the lab log has the details.',
        );
      }
      if (!isIpcReply(reply)) {
        throw new LabError('internal', `The lab core answered '${channel}' with a malformed reply.`, 'This is a bug in P-DASH Lab.');
      }
      if (reply.ok) return reply.response;
      throw labErrorFromWire(reply.error);
    },
    onEvent: (listener) => bridge.onEvent(listener),
    status: () => 'connected',
    onStatus: () => () => {},
    close() {
      closed = true;
    },
  };
}
