import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { LabError } from '../shared/errors.ts';
import { connectToLab } from './api/connect.ts';
import App from './App.vue';
import StartupFailure from './components/StartupFailure.vue';
import { labClientKey } from './composables/use-lab-client.ts';
import { createAppRouter } from './router/index.ts';
import './styles/base.css';

function start(): void {
  let client;
  try {
    client = connectToLab({
      bridge: window.pdash,
      location: window.location,
      storage: window.sessionStorage,
      createSocket: (url) => new WebSocket(url),
    });
  } catch (error) {
    createApp(StartupFailure, { error: LabError.wrap(error) }).mount('#app');
    return;
  }
  const app = createApp(App);
  app.provide(labClientKey, client);
  app.use(createPinia());
  app.use(createAppRouter());
  app.mount('#app');
}

start();
