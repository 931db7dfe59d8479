/**
 * Errors that cross the contract. A LabError carries a stable code, a message that says what is wrong, and a
 * hint that says what the user can do about it. Transports serialise it as a plain object and clients rebuild it.
 */
export const LAB_ERROR_CODES = [
  'bad-request', // the request or its input (a file, a label) is wrong: the message says what
  'unknown-channel', // no such channel in the contract
  'unauthorized', // web mode: missing or wrong token; Electron: a frame that is not ours
  'not-found',
  'conflict',
  'unavailable', // the lab or a resource cannot be used right now (locked, newer schema, closed)
  'cancelled',
  'internal',
] as const;

export type LabErrorCode = (typeof LAB_ERROR_CODES)[number];

export interface SerializedLabError {
  code: LabErrorCode;
  message: string;
  hint?: string | undefined;
}

export class LabError extends Error {
  readonly code: LabErrorCode;
  readonly hint: string | undefined;

  constructor(code: LabErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'LabError';
    this.code = code;
    this.hint = hint;
  }

  toJSON(): SerializedLabError {
    return this.hint === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, hint: this.hint };
  }

  static from(serialized: SerializedLabError): LabError {
    return new LabError(serialized.code, serialized.message, serialized.hint);
  }

  /** Wraps anything thrown into a LabError without losing its message; internal errors keep their cause. */
  static wrap(error: unknown): LabError {
    if (error instanceof LabError) return error;
    const message = error instanceof Error ? error.message : String(error);
    const wrapped = new LabError('internal', message, 'This is a bug in P-DASH Lab; the lab log has the details.');
    if (error instanceof Error) wrapped.stack = error.stack;
    return wrapped;
  }
}

const errorCodes: ReadonlySet<string> = new Set<LabErrorCode>(LAB_ERROR_CODES);

export function isSerializedLabError(value: unknown): value is SerializedLabError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && errorCodes.has(v.code) && typeof v.message === 'string';
}
