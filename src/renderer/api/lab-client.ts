import type { Channel, EventName, PayloadOf, RequestOf, ResponseOf } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import type { LabApi } from '../../shared/rpc.ts';
import type { ConnectionStatus, LabTransport, TransportKind } from './transport.ts';

/** The renderer's one way to the lab core: the typed contract plus the state of the connection under it. */
export interface LabClient extends LabApi {
  readonly transport: TransportKind;
  connectionStatus(): ConnectionStatus;
  onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void;
}

export function createLabClient(transport: LabTransport): LabClient {
  return {
    transport: transport.kind,
    async invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>> {
      try {
        // The core validated the response against the contract before sending it.
        return (await transport.request(channel, request)) as ResponseOf<C>;
      } catch (error) {
        throw LabError.wrap(error);
      }
    },
    on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void {
      return transport.onEvent((name, payload) => {
        if (name === event) listener(payload as PayloadOf<E>);
      });
    },
    connectionStatus: () => transport.status(),
    onConnectionStatus: (listener) => transport.onStatus(listener),
  };
}
