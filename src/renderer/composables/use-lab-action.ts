import { computed, ref, shallowRef, type ComputedRef, type Ref, type ShallowRef } from 'vue';
import { LabError } from '../../shared/errors.ts';

/** A keyed action names what runs (`run(task, 'pdf')`); a plain one (Key = true) takes no key. */
type KeyArgument<Key> = [Key] extends [true] ? [] : [key: Key];

/**
 * Something the user asks the lab to do from a form or a button (start, import, remove, export): whether it is
 * running, and what failed, as a LabError for <ErrorNotice> or <FormActions>. A key names which of several
 * buttons is running (an export format, say), so that one reads "Exporting…" while the others wait.
 */
export interface LabAction<Key> {
  /** The key of the action running now (true for a plain one), or null. */
  running: Ref<Key | null>;
  pending: ComputedRef<boolean>;
  failure: ShallowRef<LabError | null>;
  /** Clears the last failure, runs `task`, and keeps what it threw; true when it finished without throwing. */
  run(task: () => Promise<void>, ...key: KeyArgument<Key>): Promise<boolean>;
}

export function useLabAction<Key = true>(): LabAction<Key> {
  const running = ref<Key | null>(null) as Ref<Key | null>;
  const failure = shallowRef<LabError | null>(null);
  const pending = computed(() => running.value !== null);

  async function run(task: () => Promise<void>, ...key: KeyArgument<Key>): Promise<boolean> {
    running.value = (key.length === 0 ? true : key[0]) as Key;
    failure.value = null;
    try {
      await task();
      return true;
    } catch (error) {
      failure.value = LabError.wrap(error);
      return false;
    } finally {
      running.value = null;
    }
  }

  return { running, pending, failure, run };
}
