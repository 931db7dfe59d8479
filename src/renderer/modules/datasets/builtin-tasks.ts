/**
 * The built-in tasks `datasets/generate` offers, as the form describes them. The keys are the contract's task
 * names: a task added to the contract without a description here fails to type-check.
 */
import type { RequestOf } from '../../../shared/contract/index.ts';

export type GenerateRequest = RequestOf<'datasets/generate'>;
export type BuiltinTaskName = GenerateRequest['task'];
export type BuiltinSize = NonNullable<GenerateRequest['size']>;

export const builtinTaskInfo: Readonly<Record<BuiltinTaskName, { title: string; standsInFor: string; description: string }>> = {
  'ecg-synth': {
    title: 'Synthetic ECG rhythms',
    standsInFor: 'ECG',
    description: '1-D, 1000 samples, 4 rhythm classes told apart only by the intervals between beats; metric 1 − macro F1.',
  },
  'darcy-synth': {
    title: 'Synthetic Darcy flow',
    standsInFor: 'DarcyFlow',
    description: '2-D dense prediction: the pressure of −div(a ∇u) = 1 for a thresholded Gaussian random field a; metric relative L2.',
  },
  'ninapro-synth': {
    title: 'Synthetic EMG gestures',
    standsInFor: 'NinaPro',
    description: '2-D, 16 electrodes × 52 time steps, 18 gestures as activation sweeps around the electrode ring; metric error %.',
  },
};

export const builtinSizes: Readonly<Record<BuiltinSize, string>> = {
  tiny: 'tiny: tests and smoke runs (seconds)',
  small: 'small: quick runs on a laptop',
  full: 'full: benchmark-sized',
};

export const BUILTIN_TASK_NAMES = Object.keys(builtinTaskInfo) as BuiltinTaskName[];
export const BUILTIN_SIZES = Object.keys(builtinSizes) as BuiltinSize[];

/** The name the lab gives a generated dataset when none is given (as the core names it). */
export function defaultGeneratedName(task: BuiltinTaskName, size: BuiltinSize, seed: number): string {
  return `${task}-${size}-seed${seed}`;
}
