import os from 'node:os';
import { UsageError, commonOptions, stringOption, type Command, type CommandGroup } from '../command.ts';
import { PROJECT_ROOT, resolveNativeCache, setupNative, TENSORFLOW_WHEELS, type NativeSetupResult } from '../native-setup.ts';

const nativeCommand: Command = {
  name: 'native',
  summary: "build the native TensorFlow backend (tfjs-node) from TensorFlow's Python wheel",
  help: `Usage: pdash setup native [--gpu] [--wheel FILE] [--cache DIR] [--json]

Makes @tensorflow/tfjs-node work where its own install cannot download libtensorflow: installs the package
into this project's node_modules without its install script, takes libtensorflow from TensorFlow's Python
wheel (${TENSORFLOW_WHEELS.cpu.distribution} ${TENSORFLOW_WHEELS.cpu.version}, fetched with pip), builds the binding with node-gyp and
checks conv2d and its gradients against the cpu backend. Each step is skipped when its result is there; when
the package already works it only says so. Needs python3 with pip, make and a C++ compiler.

  --gpu            the CUDA build instead: ${TENSORFLOW_WHEELS.gpu.distribution} ${TENSORFLOW_WHEELS.gpu.version} and @tensorflow/tfjs-node-gpu; it needs
                   CUDA 12 and cuDNN 9 (pip's nvidia-* packages are found; pdash doctor checks the rest)
  --wheel FILE     use this wheel instead of downloading one
  --cache DIR      where the wheel and the extracted libraries are kept (default: $PDASH_NATIVE_CACHE,
                   else ~/.cache/pdash-lab/native); the package links to them, so keep this folder
  --json           print the steps and the check as JSON at the end (the steps go to stderr as they happen)
  --lab DIR        accepted as by every command, not used: the setup is per project, not per lab
  -h, --help       show this help`,
  options: { ...commonOptions, gpu: { type: 'boolean' }, wheel: { type: 'string' }, cache: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, _positionals, io) {
    const wheel = stringOption(values, 'wheel');
    if (wheel === '') throw new UsageError('--wheel needs a file.');
    const json = values.json === true;
    const result = await setupNative({
      variant: values.gpu === true ? 'gpu' : 'cpu',
      wheel,
      cacheDir: resolveNativeCache({ flag: stringOption(values, 'cache'), env: io.env, home: os.homedir(), cwd: io.cwd }),
      projectRoot: PROJECT_ROOT,
      log: (line) => (json ? io.stderr : io.stdout)(`${line}\n`),
    });
    io.stdout(json ? JSON.stringify(result, null, 2) + '\n' : summary(result));
    return 0;
  },
};

function summary(result: NativeSetupResult): string {
  if (result.alreadyWorking) return `${result.package} already works; nothing to do.\n`;
  const total = result.steps.reduce((sum, s) => sum + s.ms, 0);
  return `${result.package} works (${(total / 1000).toFixed(1)} s): new worker processes can use the 'tensorflow' backend (pdash info lists it).\n`;
}

export const setupGroup: CommandGroup = {
  name: 'setup',
  summary: 'set up optional parts of the lab',
  subcommands: [nativeCommand],
};
