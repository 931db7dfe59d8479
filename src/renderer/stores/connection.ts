import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useLabClient } from '../composables/use-lab-client.ts';

/** The state of the connection to the lab core, as the transport reports it. */
export const useConnectionStore = defineStore('connection', () => {
  const client = useLabClient();

  const transport = client.transport;
  const status = ref(client.connectionStatus());
  // The store lives as long as the app, so this subscription does too.
  client.onConnectionStatus((next) => {
    status.value = next;
  });

  return { transport, status };
});
