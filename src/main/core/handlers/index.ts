import type { Channel, ResponseOf } from '../../../shared/contract/index.ts';
import { LabError } from '../../../shared/errors.ts';
import { validateRequest, validateResponse } from '../../../shared/rpc.ts';
import type { LabServices } from '../lab-services.ts';
import { datasetHandlers } from './datasets.ts';
import { experimentHandlers } from './experiments.ts';
import { exportHandlers } from './exports.ts';
import { labHandlers } from './lab.ts';
import type { Handler, Handlers } from './types.ts';

/** Every channel of the contract, one map per domain. A channel without a handler fails to type-check. */
export function createHandlers(core: LabServices): Handlers {
  return {
    ...labHandlers(core),
    ...datasetHandlers(core),
    ...experimentHandlers(core),
    ...exportHandlers(core),
  };
}

/**
 * The boundary every transport goes through: check the channel and the request against the contract, run the
 * handler, check its response. Whatever goes wrong comes back as a LabError.
 */
export async function dispatch(handlers: Handlers, channel: unknown, rawRequest: unknown): Promise<ResponseOf<Channel>> {
  const request = validateRequest(channel, rawRequest);
  const name = channel as Channel;
  const handler = handlers[name] as Handler<Channel>;
  try {
    return validateResponse(name, await handler(request));
  } catch (error) {
    throw LabError.wrap(error);
  }
}
