/**
 * The one contract between the lab core and its clients (the renderer through the preload bridge or the
 * WebSocket transport, and the CLI). Every channel names its request and response schema; every event its
 * payload schema. The preload, the web server, the core's handlers and the renderer's client are all typed
 * from these maps, and every request is validated against its schema where it enters the core.
 *
 * Channels are keyed 'domain/verb' and declared in one file per domain, merged here.
 */
import type { z } from 'zod';
import { datasetChannels, datasetEvents } from './datasets.ts';
import { experimentChannels, experimentEvents } from './experiments.ts';
import { exportChannels, exportEvents } from './exports.ts';
import { labChannels, labEvents } from './lab.ts';

export interface ChannelSpec {
  readonly summary: string;
  readonly request: z.ZodType;
  readonly response: z.ZodType;
}

export const channels = {
  ...labChannels,
  ...datasetChannels,
  ...experimentChannels,
  ...exportChannels,
} as const satisfies Record<string, ChannelSpec>;

export const events = {
  ...labEvents,
  ...datasetEvents,
  ...experimentEvents,
  ...exportEvents,
} as const satisfies Record<string, z.ZodType>;

export type Channels = typeof channels;
export type Channel = keyof Channels;
/** What a caller passes (before schema defaults are applied). */
export type RequestOf<C extends Channel> = z.input<Channels[C]['request']>;
/** What a handler receives (after validation and defaults). */
export type ParsedRequestOf<C extends Channel> = z.output<Channels[C]['request']>;
export type ResponseOf<C extends Channel> = z.output<Channels[C]['response']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type PayloadOf<E extends EventName> = z.output<Events[E]>;

export const channelNames = Object.keys(channels) as Channel[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

export * from './datasets.ts';
export * from './experiments.ts';
export * from './exports.ts';
export * from './lab.ts';
