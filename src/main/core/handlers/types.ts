import type { Channel, ParsedRequestOf, ResponseOf } from '../../../shared/contract/index.ts';

export type Handler<C extends Channel> = (request: ParsedRequestOf<C>) => Promise<ResponseOf<C>> | ResponseOf<C>;

/** The handlers of some channels; the core merges one such map per domain into `Handlers`. */
export type HandlersOf<C extends Channel> = { [K in C]: Handler<K> };

export type Handlers = HandlersOf<Channel>;
