import { beforeEach, describe, expect, it } from 'vitest';
import { LabError } from '../../../../src/shared/errors.ts';
import { useLabStore } from '../../../../src/renderer/stores/lab.ts';
import { FakeTransport, deferred, installLab, sampleLabInfo } from '../fake-transport.ts';

describe('useLabStore', () => {
  let transport: FakeTransport;

  beforeEach(() => {
    transport = new FakeTransport();
    installLab(transport);
  });

  it('load() asks lab/info and keeps the answer, loading while it waits', async () => {
    const answer = deferred<unknown>();
    transport.answer('lab/info', () => answer.promise);
    const lab = useLabStore();

    const loaded = lab.load();
    expect(lab.loading).toBe(true);
    expect(lab.info).toBeNull();
    answer.resolve(sampleLabInfo);
    await loaded;

    expect(transport.sent).toEqual([{ channel: 'lab/info', request: {} }]);
    expect(lab.info).toEqual(sampleLabInfo);
    expect(lab.loading).toBe(false);
    expect(lab.error).toBeNull();
  });

  it('a failed load keeps the LabError with its code and hint', async () => {
    transport.answer('lab/info', () => {
      throw new LabError('unavailable', 'The lab database is locked by another process.', 'Close the other P-DASH Lab window.');
    });
    const lab = useLabStore();

    await lab.load();

    expect(lab.info).toBeNull();
    expect(lab.loading).toBe(false);
    expect(lab.error).toBeInstanceOf(LabError);
    expect(lab.error?.code).toBe('unavailable');
    expect(lab.error?.message).toBe('The lab database is locked by another process.');
    expect(lab.error?.hint).toBe('Close the other P-DASH Lab window.');
  });

  it('a failure that is not a LabError becomes an internal LabError with its message', async () => {
    transport.answer('lab/info', () => {
      throw new TypeError('bridge exploded');
    });
    const lab = useLabStore();

    await lab.load();

    expect(lab.error?.code).toBe('internal');
    expect(lab.error?.message).toBe('bridge exploded');
  });

  it('loading again clears the previous error', async () => {
    let calls = 0;
    transport.answer('lab/info', () => {
      calls += 1;
      if (calls === 1) throw new LabError('unavailable', 'Not yet.');
      return sampleLabInfo;
    });
    const lab = useLabStore();

    await lab.load();
    expect(lab.error?.message).toBe('Not yet.');
    await lab.load();

    expect(lab.error).toBeNull();
    expect(lab.info).toEqual(sampleLabInfo);
  });

  it('loads made while one is in flight share its request', async () => {
    const answer = deferred<unknown>();
    transport.answer('lab/info', () => answer.promise);
    const lab = useLabStore();

    const first = lab.load();
    const second = lab.load();
    answer.resolve(sampleLabInfo);
    await Promise.all([first, second]);

    expect(transport.sent).toHaveLength(1);
    expect(lab.info).toEqual(sampleLabInfo);
  });

  it('reset() forgets what was loaded', async () => {
    transport.answer('lab/info', () => sampleLabInfo);
    const lab = useLabStore();
    await lab.load();

    lab.reset();

    expect(lab.info).toBeNull();
    expect(lab.error).toBeNull();
    expect(lab.loading).toBe(false);
  });

  it('an answer that arrives after reset() does not land', async () => {
    const stale = deferred<unknown>();
    transport.answer('lab/info', () => stale.promise);
    const lab = useLabStore();

    const loading = lab.load();
    lab.reset();
    stale.resolve(sampleLabInfo);
    await loading;

    expect(lab.info).toBeNull();
    expect(lab.loading).toBe(false);
  });
});
