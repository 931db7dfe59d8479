import { describe, expect, it } from 'vitest';
import { useLabAction } from '../../../../src/renderer/composables/use-lab-action.ts';
import { LabError } from '../../../../src/shared/errors.ts';
import { deferred } from '../fake-transport.ts';

describe('useLabAction', () => {
  it('is pending while the task runs and clears the last failure when it starts again', async () => {
    const action = useLabAction();
    const first = action.run(async () => {
      throw new LabError('conflict', 'a run uses this dataset');
    });
    expect(action.pending.value).toBe(true);
    expect(await first).toBe(false);
    expect(action.pending.value).toBe(false);
    expect(action.failure.value?.code).toBe('conflict');

    const answer = deferred<void>();
    const second = action.run(() => answer.promise);
    expect(action.failure.value).toBeNull();
    expect(action.running.value).toBe(true);
    answer.resolve();
    expect(await second).toBe(true);
    expect(action.running.value).toBeNull();
    expect(action.failure.value).toBeNull();
  });

  it('names which keyed action runs, and wraps what is not a LabError', async () => {
    const action = useLabAction<'pdf' | 'html'>();
    const answer = deferred<void>();
    const running = action.run(async () => {
      await answer.promise;
      throw new Error('disk full');
    }, 'pdf');
    expect(action.running.value).toBe('pdf');
    answer.resolve();
    expect(await running).toBe(false);
    expect(action.running.value).toBeNull();
    expect(action.failure.value).toBeInstanceOf(LabError);
    expect(action.failure.value?.message).toContain('disk full');
  });
});
