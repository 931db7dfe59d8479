import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { formatDoctor, LabCore, resolveLabDir, runDoctor, type DoctorInput } from '../../main/core/index.ts';
import { commonHelp, commonOptions, stringOption, type Command } from '../command.ts';

const require = createRequire(import.meta.url);

/** The folder whose node_modules hold the engine's tfjs (and the optional native packages beside it). */
function projectDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), '..', '..', '..');
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check a GPU setup (driver, CUDA, cuDNN, native TensorFlow, WebGPU) and print the fixes',
  help: `Usage: pdash doctor [--json] [--lab DIR]

Checks what a GPU run needs and says what to do about what is missing: the NVIDIA driver (kernel module and
libcuda), the CUDA 12 runtime and cuDNN 9 (on LD_LIBRARY_PATH, in CUDA's folders, in pip's nvidia-* wheels),
the native TensorFlow packages (@tensorflow/tfjs-node, -gpu) and whether they start, the WebGPU adapter, and
which backend a run would use (the fastest that passes its smoke computation). Exits 1 when a check fails.

  --json           print {findings: [{check, status, found, fix}], runBackend}
${commonHelp}`,
  options: { ...commonOptions, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const core = LabCore.open({ labDir: resolveLabDir({ flag: stringOption(values, 'lab'), env: io.env, cwd: io.cwd }), frontDoor: 'cli' });
    try {
      let compute: DoctorInput['compute'];
      try {
        compute = (await core.invoke('lab/info', {})).compute;
      } catch (error) {
        compute = { error: error instanceof Error ? error.message : String(error) };
      }
      const report = runDoctor({ env: io.env, projectDir: projectDir(), compute });
      io.stdout(values.json === true ? JSON.stringify(report, null, 2) + '\n' : formatDoctor(report));
      return report.findings.some((f) => f.status === 'fail') ? 1 : 0;
    } finally {
      core.close();
    }
  },
};
