import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { LabInfo } from '../../shared/contract/index.ts';
import { LabError } from '../../shared/errors.ts';
import { useLabClient } from '../composables/use-lab-client.ts';

/** The lab this window is connected to: versions, folder, compute backends (`lab/info`). */
export const useLabStore = defineStore('lab', () => {
  const client = useLabClient();

  const info = shallowRef<LabInfo | null>(null);
  const loading = ref(false);
  const error = shallowRef<LabError | null>(null);

  let inFlight: Promise<void> | null = null;
  // A reset while a load is in flight makes that load's answer stale: it must not land after the reset.
  let generation = 0;

  function load(): Promise<void> {
    if (inFlight !== null) return inFlight;
    const mine = generation;
    loading.value = true;
    error.value = null;
    inFlight = client
      .invoke('lab/info', {})
      .then(
        (answer) => {
          if (mine === generation) info.value = answer;
        },
        (failure: unknown) => {
          if (mine === generation) error.value = LabError.wrap(failure);
        },
      )
      .finally(() => {
        if (mine === generation) {
          loading.value = false;
          inFlight = null;
        }
      });
    return inFlight;
  }

  function reset(): void {
    generation += 1;
    inFlight = null;
    info.value = null;
    loading.value = false;
    error.value = null;
  }

  return { info, loading, error, load, reset };
});
