import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { LabError } from '../shared/errors.ts';
import { connectToLab } from './api/connect.ts';
import type { LabClient } from './api/lab-client.ts';
import App from './App.vue';
import StartupFailure from './components/StartupFailure.vue';
import { createUploadPicker } from './api/upload-picker.ts';
import { arrayFilePickerKey } from './composables/use-array-file-picker.ts';
import { labClientKey } from './composables/use-lab-client.ts';
import { createAppRouter } from './router/index.ts';
import './styles/base.css';

/** The transport is chosen once, here: the preload bridge inside Electron, else web mode's WebSocket. */
function connect(): LabClient | LabError {
  try {
    return connectToLab({
      bridge: window.pdash,
      location: window.location,
      storage: window.sessionStorage,
      createSocket: (url) => new WebSocket(url),
    });
  } catch (error) {
    return LabError.wrap(error);
  }
}

const client = connect();
if (client instanceof LabError) {
  createApp(StartupFailure, { error: client }).mount('#app');
} else {
  const app = createApp(App);
  app.provide(labClientKey, client);
  // Paths for imports: the browser's file chooser, uploaded into the lab (no native dialog is bridged yet).
  app.provide(arrayFilePickerKey, createUploadPicker(client, document));
  app.use(createPinia());
  app.use(createAppRouter());
  app.mount('#app');
}
