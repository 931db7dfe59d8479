/**
 * Validation at the boundary and the wire format shared by the transports (Electron IPC, WebSocket).
 */
import { z } from 'zod';
import {
  channels,
  events,
  isChannel,
  isEventName,
  type Channel,
  type EventName,
  type ParsedRequestOf,
  type PayloadOf,
  type RequestOf,
  type ResponseOf,
} from './contract/index.ts';
import { LabError, type SerializedLabError } from './errors.ts';

/** What every client of the lab sees, whichever transport carries it. */
export interface LabApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(request)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Checks a channel name and its request against the contract; throws a LabError that says what is wrong. */
export function validateRequest<C extends Channel>(channel: unknown, request: unknown): ParsedRequestOf<C> {
  if (!isChannel(channel)) {
    throw new LabError(
      'unknown-channel',
      `Unknown channel ${JSON.stringify(channel)}.`,
      `Known channels: ${Object.keys(channels).join(', ')}.`,
    );
  }
  const result = channels[channel].request.safeParse(request);
  if (!result.success) {
    throw new LabError(
      'bad-request',
      `Malformed request on '${channel}': ${describeIssues(result.error)}.`,
      'Check the request against the contract in src/shared/contract.',
    );
  }
  return result.data as ParsedRequestOf<C>;
}

/** Checks what a handler returns, so that a drifted handler fails loudly in the core, not in a client. */
export function validateResponse<C extends Channel>(channel: C, response: unknown): ResponseOf<C> {
  const result = channels[channel].response.safeParse(response);
  if (!result.success) {
    throw new LabError('internal', `The core answered '${channel}' with a malformed response: ${describeIssues(result.error)}.`);
  }
  return result.data as ResponseOf<C>;
}

export function validateEvent<E extends EventName>(event: unknown, payload: unknown): PayloadOf<E> {
  if (!isEventName(event)) throw new LabError('unknown-channel', `Unknown event ${JSON.stringify(event)}.`);
  const schema: z.ZodType = (events as Record<EventName, z.ZodType>)[event];
  const result = schema.safeParse(payload);
  if (!result.success) {
    throw new LabError('bad-request', `Malformed payload for event '${event}': ${describeIssues(result.error)}.`);
  }
  return result.data as PayloadOf<E>;
}

// ---- wire format (WebSocket; Electron IPC carries the same request and reply objects) ----

export const WireRequest = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  channel: z.string(),
  request: z.unknown(),
});
export type WireRequest = z.infer<typeof WireRequest>;

export type WireReply =
  | { type: 'reply'; id: number; ok: true; response: unknown }
  | { type: 'reply'; id: number; ok: false; error: SerializedLabError };

export interface WireEvent {
  type: 'event';
  event: string;
  payload: unknown;
}

export type WireServerMessage = WireReply | WireEvent;

/** Electron IPC replies with this shape: ipcRenderer.invoke would otherwise lose the error's code and hint. */
export type IpcReply = { ok: true; response: unknown } | { ok: false; error: SerializedLabError };

export const IPC_EVENT_CHANNEL = 'pdash:event';

/** What the preload exposes as window.pdash: the contract's invoke and its events, nothing else. */
export interface PdashBridge {
  invoke(channel: string, request: unknown): Promise<IpcReply>;
  /** Subscribes to every lab event; returns the function that unsubscribes. */
  onEvent(listener: (event: string, payload: unknown) => void): () => void;
}
