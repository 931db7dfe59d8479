import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h, type PropType } from 'vue';
import { createMemoryHistory, type Router } from 'vue-router';
import App from '../../../src/renderer/App.vue';
import { labClientKey } from '../../../src/renderer/composables/use-lab-client.ts';
import { createAppRouter } from '../../../src/renderer/router/index.ts';
import { FakeTransport, installLab, sampleLabInfo } from './fake-transport.ts';

/**
 * happy-dom has no canvas, so charts are drawn as a stub that keeps what the chart was asked to show: its label
 * and its option (as JSON, for assertions on the series).
 */
export const ChartStub = defineComponent({
  name: 'LabChart',
  props: { option: { type: Object as PropType<Record<string, unknown>>, required: true }, label: { type: String, required: true }, height: Number },
  setup: (props) => () => h('div', { class: 'chart-stub', 'aria-label': props.label, 'data-option': JSON.stringify(props.option) }),
});

/** vue-echarts' component (the Compare view's charts) as the same kind of stub. */
export const EchartsStub = defineComponent({
  name: 'Echarts',
  props: { option: { type: Object as PropType<Record<string, unknown>>, required: true } },
  setup: (props) => () => h('div', { class: 'chart-stub', 'data-option': JSON.stringify(props.option) }),
});

/** The whole app (nav rail and views) at `path`, over a fake transport, with the real routes. */
export async function mountAppAt(path: string, transport: FakeTransport, provide: Record<symbol, unknown> = {}): Promise<{ wrapper: VueWrapper; router: Router }> {
  transport.answer('lab/info', () => sampleLabInfo);
  const { client, pinia } = installLab(transport);
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  const wrapper = mount(App, {
    attachTo: document.body,
    global: { plugins: [pinia, router], provide: { [labClientKey as symbol]: client, ...provide }, stubs: { LabChart: ChartStub, Echarts: EchartsStub } },
  });
  await flushPromises();
  return { wrapper, router };
}
