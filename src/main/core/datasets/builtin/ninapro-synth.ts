/**
 * `ninapro-synth`: surface-EMG-like windows of 16 electrodes x 52 time steps (NinaPro DB5's layout after
 * NAS-Bench-360's transpose), 18 gesture classes. The electrodes sit in a ring around the forearm. A gesture
 * activates four neighbouring electrodes one after another, a few time steps apart, so that activity sweeps
 * around the ring: classes 2k and 2k + 1 share their electrodes (centred on electrode round(16k / 9)) and
 * sweep in opposite directions, so only the spatio-temporal pattern, not which electrodes are active, tells
 * them apart. Each activation is a rectified, noise-modulated burst with a smooth envelope.
 * Per sample: onset, sweep lag, burst length and amplitudes vary; an armband shifted by one electrode (15%),
 * cross-talk bursts on other electrodes (30%), and rectified background noise. Classes are balanced.
 * Samples are [16, 52, 1]; metric: error %.
 */
import type { SeededRandom } from '../../../../shared/engine/index.ts';
import type { SplitData, TaskData } from '../preprocess/task-data.ts';
import { balancedLabels, resolveCounts, splitStreams, type BuiltinOptions, type BuiltinSize, type SplitCounts } from './generated-task.ts';

export const ninaproSynthElectrodes = 16;
export const ninaproSynthSteps = 52;
export const ninaproSynthClasses = 18;

const counts: Readonly<Record<BuiltinSize, SplitCounts>> = {
  tiny: { train: 72, val: 36, test: 36 },
  small: { train: 900, val: 180, test: 180 },
  full: { train: 3960, val: 666, test: 666 },
};

export function generateNinaproSynth(options: BuiltinOptions): TaskData {
  const sizes = resolveCounts('ninapro-synth', counts, options);
  const streams = splitStreams('ninapro-synth', options.seed);
  const size = ninaproSynthElectrodes * ninaproSynthSteps;
  const split = (n: number, rng: SeededRandom): SplitData => {
    const y = balancedLabels(n, ninaproSynthClasses, rng);
    const x = new Float32Array(n * size);
    for (let s = 0; s < n; s++) x.set(synthesizeGesture(y[s]!, rng), s * size);
    return { x, y, n };
  };
  return {
    kind: 'classification',
    splits: { train: split(sizes.train, streams.train), val: split(sizes.val, streams.val), test: split(sizes.test, streams.test) },
    xShape: [ninaproSynthElectrodes, ninaproSynthSteps, 1],
    yShape: [],
    classes: Array.from({ length: ninaproSynthClasses }, (_, c) => `gesture ${c}`),
    metric: { name: 'error', direction: 'minimize' },
    details: {
      source: 'built-in: ninapro-synth',
      seed: options.seed,
      size: options.size ?? 'small',
      samples: { ...sizes },
      layout: '16 electrodes (ring) x 52 time steps, 1 channel',
      classes: '9 electrode groups x 2 sweep directions; balanced',
    },
  };
}

/** The electrodes of class `label` in activation order. */
export function gestureElectrodes(label: number): number[] {
  const centre = Math.round((ninaproSynthElectrodes * Math.floor(label / 2)) / 9);
  const group = [-2, -1, 0, 1].map((k) => mod(centre + k, ninaproSynthElectrodes));
  return label % 2 === 0 ? group : group.reverse();
}

/** One window of class `label`, electrode-major ([16, 52]). */
export function synthesizeGesture(label: number, rng: SeededRandom): Float32Array {
  const E = ninaproSynthElectrodes;
  const T = ninaproSynthSteps;
  const out = new Float32Array(E * T);
  const shift = rng.uniform() < 0.15 ? (rng.uniform() < 0.5 ? -1 : 1) : 0;
  const onset = 6 + rng.uniform() * 10;
  const lag = 3 + rng.uniform() * 3;
  const duration = 14 + rng.uniform() * 10;
  const gain = 0.7 + 0.6 * rng.uniform();
  gestureElectrodes(label).forEach((electrode, order) => {
    const amplitude = gain * (0.75 + 0.5 * rng.uniform());
    addBurst(out, mod(electrode + shift, E), onset + order * lag, duration, amplitude, rng);
  });
  if (rng.uniform() < 0.3) addBurst(out, rng.int(E), rng.uniform() * 30, 6 + rng.uniform() * 10, 0.2 + 0.3 * rng.uniform(), rng);
  const noise = 0.05 + 0.1 * rng.uniform();
  for (let i = 0; i < out.length; i++) out[i]! += Math.abs(noise * rng.normal());
  return out;
}

/** A rectified, noise-modulated burst with a raised-cosine envelope from `start` for `duration` steps. */
function addBurst(out: Float32Array, electrode: number, start: number, duration: number, amplitude: number, rng: SeededRandom): void {
  for (let t = 0; t < ninaproSynthSteps; t++) {
    const phase = (t - start) / duration;
    const envelope = phase > 0 && phase < 1 ? 0.5 - 0.5 * Math.cos(2 * Math.PI * phase) : 0;
    const carrier = Math.abs(1 + 0.35 * rng.normal());
    out[electrode * ninaproSynthSteps + t]! += amplitude * envelope * carrier;
  }
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
