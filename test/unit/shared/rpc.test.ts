import { describe, expect, it } from 'vitest';
import { channelNames, channels, isChannel } from '../../../src/shared/contract/index.ts';
import { isSerializedLabError, LabError } from '../../../src/shared/errors.ts';
import { validateRequest, validateResponse } from '../../../src/shared/rpc.ts';

function thrown(fn: () => unknown): LabError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LabError) return error;
    throw error;
  }
  throw new Error('expected a LabError');
}

describe('contract validation at the boundary', () => {
  it('accepts a well-formed lab/info request', () => {
    expect(validateRequest('lab/info', {})).toEqual({});
  });

  it('refuses an unknown channel and lists the known ones', () => {
    const error = thrown(() => validateRequest('lab/nope', {}));
    expect(error.code).toBe('unknown-channel');
    expect(error.message).toContain('"lab/nope"');
    expect(error.hint).toContain('lab/info');
  });

  it('refuses a non-string channel', () => {
    expect(thrown(() => validateRequest(42, {})).code).toBe('unknown-channel');
  });

  it('refuses inherited property names that are not channels', () => {
    expect(isChannel('toString')).toBe(false);
    expect(isChannel('__proto__')).toBe(false);
  });

  it.each([
    ['a missing request', undefined, '(request)'],
    ['a request of the wrong type', 'info please', '(request)'],
    ['an unexpected field', { verbose: true }, 'verbose'],
  ])('refuses %s with a message naming the problem', (_label, request, where) => {
    const error = thrown(() => validateRequest('lab/info', request));
    expect(error.code).toBe('bad-request');
    expect(error.message).toContain("Malformed request on 'lab/info'");
    expect(error.message).toContain(where);
  });

  it('refuses a handler response that drifted from the contract', () => {
    const error = thrown(() => validateResponse('lab/info', { version: 1 }));
    expect(error.code).toBe('internal');
    expect(error.message).toContain('labDir');
  });

  it('every channel has a summary and request/response schemas', () => {
    for (const name of channelNames) {
      const spec = channels[name];
      expect(spec.summary.length).toBeGreaterThan(10);
      expect(typeof spec.request.safeParse).toBe('function');
      expect(typeof spec.response.safeParse).toBe('function');
    }
  });
});

describe('LabError over the wire', () => {
  it('keeps code, message and hint through JSON', () => {
    const original = new LabError('not-found', 'No dataset named x.', 'Run pdash dataset list.');
    const wire = JSON.parse(JSON.stringify(original)) as unknown;
    expect(isSerializedLabError(wire)).toBe(true);
    const rebuilt = LabError.from(wire as ReturnType<LabError['toJSON']>);
    expect(rebuilt).toBeInstanceOf(LabError);
    expect([rebuilt.code, rebuilt.message, rebuilt.hint]).toEqual(['not-found', 'No dataset named x.', 'Run pdash dataset list.']);
  });

  it('wraps foreign errors as internal without losing the message', () => {
    const wrapped = LabError.wrap(new TypeError('boom'));
    expect(wrapped.code).toBe('internal');
    expect(wrapped.message).toBe('boom');
    expect(isSerializedLabError({ code: 'weird', message: 'x' })).toBe(false);
  });
});
