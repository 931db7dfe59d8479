import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import App from '../../../src/renderer/App.vue';
import { labClientKey } from '../../../src/renderer/composables/use-lab-client.ts';
import { createAppRouter, navigation } from '../../../src/renderer/router/index.ts';
import { FakeTransport, installLab, sampleLabInfo } from './fake-transport.ts';

async function mountApp(transport: FakeTransport) {
  // An empty lab: the Datasets and Experiments views list what the lab has.
  transport.answer('datasets/list', () => ({ items: [], total: 0 })).answer('experiments/list', () => ({ items: [], total: 0 }));
  const { client, pinia } = installLab(transport);
  const router = createAppRouter(createMemoryHistory());
  await router.push('/');
  const wrapper = mount(App, { global: { plugins: [pinia, router], provide: { [labClientKey as symbol]: client } } });
  await flushPromises();
  return { wrapper, router };
}

describe('App shell', () => {
  it('opens on Datasets and has one nav link per section', async () => {
    const { wrapper, router } = await mountApp(new FakeTransport().answer('lab/info', () => sampleLabInfo));

    expect(router.currentRoute.value.path).toBe('/datasets');
    expect(wrapper.get('nav').text()).toContain('P-DASH Lab');
    expect(wrapper.findAll('.nav-link').map((link) => link.text())).toEqual(['Datasets', 'Experiments', 'Compare', 'Settings']);
    expect(document.title).toBe('Datasets · P-DASH Lab');
  });

  it('shows each section when its nav link is clicked, and marks that link active', async () => {
    const { wrapper, router } = await mountApp(new FakeTransport().answer('lab/info', () => sampleLabInfo));

    for (const entry of navigation) {
      await wrapper.get(`.nav-link[href="${router.resolve(entry.path).href}"]`).trigger('click');
      await flushPromises();
      expect(router.currentRoute.value.path).toBe(entry.path);
      expect(wrapper.get('main h1').text()).toBe(entry.title);
      expect(wrapper.get('.nav-link.is-active').text()).toBe(entry.title);
    }
    expect(wrapper.text()).toContain('/home/ada/pdash-lab');
  });

  it('sends an unknown address to Datasets', async () => {
    const { router } = await mountApp(new FakeTransport());
    await router.push('/no/such/view');
    expect(router.currentRoute.value.path).toBe('/datasets');
  });

  it('shows the connection status in the nav rail as it changes', async () => {
    const transport = new FakeTransport('websocket');
    transport.setStatus('connecting');
    const { wrapper } = await mountApp(transport);
    const indicator = () => wrapper.get('[role="status"]');

    expect(indicator().text()).toContain('Connecting');
    transport.setStatus('connected');
    await flushPromises();
    expect(indicator().attributes('data-status')).toBe('connected');
    expect(indicator().text()).toContain('Connected');
    transport.setStatus('reconnecting');
    await flushPromises();
    expect(indicator().text()).toContain('Reconnecting');
    transport.setStatus('stopped');
    await flushPromises();
    expect(indicator().text()).toContain('Lab server stopped');
    expect(indicator().text()).toContain('pdash serve');
  });
});
