import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { shellQuote, useLabCommand } from '../../../../src/renderer/composables/use-lab-command.ts';
import { useLabStore } from '../../../../src/renderer/stores/lab.ts';
import { FakeTransport, deferred, installLab, sampleLabInfo } from '../fake-transport.ts';

describe('shellQuote', () => {
  it('leaves a plain path alone', () => {
    expect(shellQuote('/home/ada/pdash-lab', 'linux-x64')).toBe('/home/ada/pdash-lab');
    expect(shellQuote('C:\\Users\\ada\\lab', 'win32-x64')).toBe('C:\\Users\\ada\\lab');
  });

  it('single-quotes for POSIX shells, escaping single quotes', () => {
    expect(shellQuote("/home/ada/Ada's lab", 'linux-x64')).toBe(`'/home/ada/Ada'\\''s lab'`);
    expect(shellQuote('/Users/ada/My Lab', 'darwin-arm64')).toBe(`'/Users/ada/My Lab'`);
  });

  it('double-quotes on Windows', () => {
    expect(shellQuote('C:\\Users\\ada\\My Lab', 'win32-x64')).toBe('"C:\\Users\\ada\\My Lab"');
  });
});

describe('useLabCommand', () => {
  it('names the lab folder once lab/info is known, loading it if nobody has', async () => {
    const answer = deferred<unknown>();
    const transport = new FakeTransport().answer('lab/info', () => answer.promise);
    installLab(transport);

    const labCommand = useLabCommand();
    expect(transport.sent).toEqual([{ channel: 'lab/info', request: {} }]);
    expect(labCommand('pdash dataset list')).toBe('pdash dataset list');

    answer.resolve({ ...sampleLabInfo, labDir: '/srv/labs/ecg run' });
    await flushPromises();
    expect(labCommand('pdash dataset list')).toBe(`pdash dataset list --lab '/srv/labs/ecg run'`);
  });

  it('does not ask again when lab/info is loaded or has failed', async () => {
    const transport = new FakeTransport().answer('lab/info', () => sampleLabInfo);
    installLab(transport);
    await useLabStore().load();

    useLabCommand();

    expect(transport.sent).toHaveLength(1);
  });

  it('leaves the command bare, and does not retry, after lab/info failed', async () => {
    const transport = new FakeTransport().answer('lab/info', () => {
      throw new Error('no lab');
    });
    installLab(transport);
    await useLabStore().load();

    const labCommand = useLabCommand();

    expect(transport.sent).toHaveLength(1);
    expect(labCommand('pdash info')).toBe('pdash info');
  });
});
