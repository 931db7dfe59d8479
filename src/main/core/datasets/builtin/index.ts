/**
 * The built-in generated tasks, by name: small stand-ins for NAS-Bench-360's three tasks that need no
 * download, deterministic for a seed. The registry lists them and stores what `generate` returns like an import.
 */
import type { TaskData } from '../preprocess/task-data.ts';
import { generateDarcySynth, type DarcySynthOptions } from './darcy-synth.ts';
import { generateEcgSynth } from './ecg-synth.ts';
import type { BuiltinOptions } from './generated-task.ts';
import { generateNinaproSynth } from './ninapro-synth.ts';

export type { BuiltinOptions, BuiltinSize, SplitCounts } from './generated-task.ts';
export type { DarcySynthOptions } from './darcy-synth.ts';

export type BuiltinTaskName = 'ecg-synth' | 'darcy-synth' | 'ninapro-synth';

export interface BuiltinTask {
  name: BuiltinTaskName;
  title: string;
  description: string;
  /** The NAS-Bench-360 task it stands in for. */
  standsInFor: 'ECG' | 'DarcyFlow' | 'NinaPro';
  generate(options: BuiltinOptions): TaskData;
}

export const builtinTasks: Readonly<Record<BuiltinTaskName, BuiltinTask>> = {
  'ecg-synth': {
    name: 'ecg-synth',
    title: 'Synthetic ECG rhythms',
    description: '1-D, 1000 samples, 4 rhythm classes (N, A, O, ~) told apart only by intervals between beats; 1 - macro F1.',
    standsInFor: 'ECG',
    generate: generateEcgSynth,
  },
  'darcy-synth': {
    name: 'darcy-synth',
    title: 'Synthetic Darcy flow',
    description: '2-D, coefficient 12/3 from a thresholded Gaussian random field -> pressure of -div(a grad u) = 1; relative L2.',
    standsInFor: 'DarcyFlow',
    generate: (options: BuiltinOptions) => generateDarcySynth(options as DarcySynthOptions),
  },
  'ninapro-synth': {
    name: 'ninapro-synth',
    title: 'Synthetic EMG gestures',
    description: '2-D, 16 electrodes x 52 time steps, 18 gestures as activation sweeps around the electrode ring; error %.',
    standsInFor: 'NinaPro',
    generate: generateNinaproSynth,
  },
};

export function isBuiltinTaskName(name: string): name is BuiltinTaskName {
  return Object.hasOwn(builtinTasks, name);
}

export { generateDarcySynth, generateEcgSynth, generateNinaproSynth };
