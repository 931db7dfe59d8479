import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { LabError } from '../../../../../src/shared/errors.ts';
import { labClientKey } from '../../../../../src/renderer/composables/use-lab-client.ts';
import SettingsView from '../../../../../src/renderer/modules/settings/routes/SettingsView.vue';
import { FakeTransport, deferred, installLab, sampleLabInfo } from '../../fake-transport.ts';

function mountSettings(transport: FakeTransport) {
  const { client, pinia } = installLab(transport);
  return mount(SettingsView, { global: { plugins: [pinia], provide: { [labClientKey as symbol]: client } } });
}

/** The About section's facts as label -> value. */
function facts(wrapper: ReturnType<typeof mountSettings>): Record<string, string> {
  const labels = wrapper.findAll('dt').map((dt) => dt.text());
  const values = wrapper.findAll('dd').map((dd) => dd.text());
  return Object.fromEntries(labels.map((label, i) => [label, values[i] ?? '']));
}

describe('SettingsView', () => {
  it('shows lab/info: versions, lab folder, front door and schema', async () => {
    const wrapper = mountSettings(new FakeTransport().answer('lab/info', () => sampleLabInfo));
    await flushPromises();

    expect(facts(wrapper)).toEqual({
      Version: '0.1.0',
      'Lab folder': '/home/ada/pdash-lab',
      'Front door': 'Web mode (pdash serve)',
      'Schema version': '3',
      SQLite: '3.50.4',
      'TensorFlow.js': '4.22.0',
      Node: '24.21.0',
      Platform: 'linux x64',
    });
  });

  it('gives the command-line equivalent for this lab', async () => {
    const wrapper = mountSettings(new FakeTransport().answer('lab/info', () => sampleLabInfo));
    await flushPromises();

    expect(wrapper.get('.cli-equivalent code').text()).toBe('pdash info --lab /home/ada/pdash-lab');
  });

  it('lists every compute backend with its availability and detail, and marks the preferred one', async () => {
    const wrapper = mountSettings(new FakeTransport().answer('lab/info', () => sampleLabInfo));
    await flushPromises();

    const rows = wrapper.findAll('tbody tr');
    expect(rows.map((row) => row.attributes('data-backend'))).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
    const wasm = wrapper.get('tr[data-backend="wasm"]');
    expect(wasm.text()).toContain('available');
    expect(wasm.text()).toContain('preferred');
    expect(wasm.text()).toContain('SIMD, 2 threads');
    const gpu = wrapper.get('tr[data-backend="tensorflow-gpu"]');
    expect(gpu.text()).toContain('unavailable');
    expect(gpu.text()).toContain('@tensorflow/tfjs-node-gpu is not installed');
    expect(gpu.text()).not.toContain('preferred');
    expect(wrapper.findAll('.badge-accent')).toHaveLength(1);
  });

  it('says it is loading while lab/info is on its way', async () => {
    const answer = deferred<unknown>();
    const wrapper = mountSettings(new FakeTransport().answer('lab/info', () => answer.promise));
    await flushPromises();

    expect(wrapper.text()).toContain('Loading lab information');
    expect(wrapper.get('[aria-labelledby="about-heading"]').attributes('aria-busy')).toBe('true');
    answer.resolve(sampleLabInfo);
    await flushPromises();
    expect(wrapper.text()).not.toContain('Loading lab information');
    expect(wrapper.text()).toContain('/home/ada/pdash-lab');
  });

  it('shows an error with its hint, and Try again loads anew', async () => {
    let calls = 0;
    const transport = new FakeTransport().answer('lab/info', () => {
      calls += 1;
      if (calls === 1) {
        throw new LabError('unavailable', 'Cannot reach the lab server at 127.0.0.1:8710.', 'Start it with `pdash serve`.');
      }
      return sampleLabInfo;
    });
    const wrapper = mountSettings(transport);
    await flushPromises();

    const alert = wrapper.get('[role="alert"]');
    expect(alert.text()).toContain('Cannot reach the lab server at 127.0.0.1:8710.');
    // The hint's `backticked` command is shown as code, without the backticks.
    expect(alert.get('.error-hint').text()).toBe('Start it with pdash serve.');
    expect(alert.get('.error-hint code').text()).toBe('pdash serve');
    expect(alert.text()).toContain('unavailable');

    await alert.get('button').trigger('click');
    await flushPromises();
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('/home/ada/pdash-lab');
  });

  it('loads again by itself when the connection comes back after a failure', async () => {
    let serverUp = false;
    const transport = new FakeTransport().answer('lab/info', () => {
      if (!serverUp) throw new LabError('unavailable', 'The lab server stopped.');
      return sampleLabInfo;
    });
    transport.setStatus('reconnecting');
    const wrapper = mountSettings(transport);
    await flushPromises();
    expect(wrapper.get('[role="alert"]').text()).toContain('The lab server stopped.');

    serverUp = true;
    transport.setStatus('connected');
    await flushPromises();

    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
    expect(wrapper.text()).toContain('/home/ada/pdash-lab');
  });
});
