import type { LabErrorCode } from '../../shared/errors.ts';

/**
 * A heading per error code for what the user was doing, shown above the core's own message and hint, so that
 * "the lab refused this" reads differently from "the lab is not reachable".
 */
export function errorTitle(code: LabErrorCode, action: string): string {
  switch (code) {
    case 'bad-request':
      return `The lab refused to ${action}: the request needs a change`;
    case 'not-found':
      return `Could not ${action}: something it needs was not found`;
    case 'conflict':
      return `Could not ${action}: it conflicts with the lab's current state`;
    case 'unavailable':
      return `Could not ${action}: the lab cannot do it right now`;
    case 'unauthorized':
      return `Could not ${action}: this window is not allowed to`;
    case 'cancelled':
      return `${action.charAt(0).toUpperCase()}${action.slice(1)} was cancelled`;
    case 'unknown-channel':
      return `Could not ${action}: this lab server does not offer it (is it an older version?)`;
    case 'internal':
      return `Could not ${action}: the lab hit an internal error`;
  }
  return code satisfies never;
}
