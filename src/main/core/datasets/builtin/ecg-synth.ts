/**
 * `ecg-synth`: single-lead ECG-like recordings of 1000 samples (3.3 s at 300 Hz) in the four classes of the
 * PhysioNet 2017 challenge, built so that telling the rhythms apart takes relations between beats hundreds of
 * samples apart: every beat of every class has the same per-recording morphology (P, QRS, T as Gaussian waves),
 * so no short window tells N, A and O apart; only the intervals between beats (RR, 180-300 samples) do.
 *  - N (normal): regular RR, 4% beat-to-beat variation.
 *  - A (AF-like): irregularly irregular RR, each interval drawn from 65-135% of the base.
 *  - O (other): a regular rhythm with premature beats (coupling 55-70% of RR, full compensatory pause): one or
 *    two isolated ones, or bigeminy (every other beat premature).
 *  - ~ (noisy): any of those rhythms under heavy noise, baseline wander and motion-artefact bursts.
 * Every recording gets its own heart rate, wave amplitudes and widths, phase, mild noise and baseline wander,
 * and is z-scored like the real data. Classes are balanced. Metric: 1 - macro F1.
 */
import type { SeededRandom } from '../../../../shared/engine/index.ts';
import type { SplitData, TaskData } from '../preprocess/task-data.ts';
import { ecgClasses, zScore } from '../preprocess/ecg.ts';
import { balancedLabels, resolveCounts, splitStreams, type BuiltinOptions, type BuiltinSize, type SplitCounts } from './generated-task.ts';

export const ecgSynthLength = 1000;
export const ecgSynthRate = 300;

const counts: Readonly<Record<BuiltinSize, SplitCounts>> = {
  tiny: { train: 64, val: 32, test: 32 },
  small: { train: 800, val: 200, test: 200 },
  full: { train: 8000, val: 1000, test: 1000 },
};

export function generateEcgSynth(options: BuiltinOptions): TaskData {
  const sizes = resolveCounts('ecg-synth', counts, options);
  const streams = splitStreams('ecg-synth', options.seed);
  const split = (n: number, rng: SeededRandom): SplitData => {
    const y = balancedLabels(n, ecgClasses.length, rng);
    const x = new Float32Array(n * ecgSynthLength);
    for (let s = 0; s < n; s++) x.set(synthesizeRecording(y[s]!, rng), s * ecgSynthLength);
    return { x, y, n };
  };
  return {
    kind: 'classification',
    splits: { train: split(sizes.train, streams.train), val: split(sizes.val, streams.val), test: split(sizes.test, streams.test) },
    xShape: [ecgSynthLength, 1],
    yShape: [],
    classes: [...ecgClasses],
    metric: { name: 'one-minus-macro-f1', direction: 'minimize' },
    details: {
      source: 'built-in: ecg-synth',
      seed: options.seed,
      size: options.size ?? 'small',
      samples: { ...sizes },
      sampling: `${ecgSynthRate} Hz, ${ecgSynthLength} samples, z-scored per recording`,
      classes: 'N regular, A irregular RR, O premature beats, ~ noisy; balanced',
    },
  };
}

interface Wave {
  amplitude: number;
  /** Seconds from the R peak. */
  offset: number;
  width: number;
}

/** One recording of class `label` (0 N, 1 A, 2 O, 3 ~), z-scored. */
export function synthesizeRecording(label: number, rng: SeededRandom, length = ecgSynthLength): Float32Array {
  const rr = rng.uniform() * 120 + 180; // base RR in samples: 60-100 beats per minute
  const noisy = label === 3;
  const rhythm = noisy ? rng.int(3) : label; // the noisy class hides any of the three rhythms
  const beats = beatTimes(rhythm, rr, length, rng);
  const waves = morphology(rng, rr);
  const signal = new Float64Array(length);
  const beatScale = noisy ? 0.3 + 0.4 * rng.uniform() : 1;
  for (const t of beats) {
    const amplitude = beatScale * (1 + 0.03 * rng.normal());
    for (const wave of waves) addGaussian(signal, t + wave.offset * ecgSynthRate, wave.width * ecgSynthRate, wave.amplitude * amplitude);
  }
  addNoise(signal, rng, noisy);
  return zScore(signal);
}

/** R-peak times (in samples, from before the start to after the end) of a rhythm. */
function beatTimes(rhythm: number, rr: number, length: number, rng: SeededRandom): number[] {
  const times: number[] = [];
  let t = -rng.uniform() * rr - rr;
  while (t < length + rr) {
    times.push(t);
    const variation = rhythm === 1 ? 0.65 + 0.7 * rng.uniform() : 1 + 0.04 * rng.normal();
    t += rr * variation;
  }
  if (rhythm === 2) {
    // Premature beats with a full compensatory pause: move a beat earlier, leave the next one where it was.
    const visible = times.map((time, i) => ({ time, i })).filter(({ time, i }) => time > 60 && time < length - 60 && i > 0 && i < times.length - 1);
    const coupling = (): number => 0.55 + 0.15 * rng.uniform();
    if (visible.length > 0) {
      const bigeminy = rng.uniform() < 0.4;
      const first = visible[rng.int(visible.length)]!.i;
      const chosen = bigeminy ? visible.filter(({ i }) => (i - first) % 2 === 0).map(({ i }) => i) : [first];
      if (!bigeminy && visible.length > 3 && rng.uniform() < 0.5) {
        const second = visible[rng.int(visible.length)]!.i;
        if (Math.abs(second - first) > 1) chosen.push(second);
      }
      for (const i of chosen) times[i] = times[i - 1]! + coupling() * (times[i + 1]! - times[i - 1]!) / 2;
    }
  }
  return times;
}

/** One recording's P-QRS-T waves, shared by all its beats. */
function morphology(rng: SeededRandom, rr: number): Wave[] {
  const vary = (x: number, spread: number): number => x * (1 + spread * (2 * rng.uniform() - 1));
  const qt = Math.sqrt(rr / 250); // the T wave comes later at slower rates (Bazett)
  return [
    { amplitude: vary(0.12, 0.3), offset: vary(-0.17, 0.1), width: vary(0.022, 0.15) },
    { amplitude: vary(-0.1, 0.3), offset: -0.03, width: vary(0.009, 0.15) },
    { amplitude: vary(1, 0.2), offset: 0, width: vary(0.011, 0.15) },
    { amplitude: vary(-0.22, 0.3), offset: 0.03, width: vary(0.011, 0.15) },
    { amplitude: vary(0.3, 0.3), offset: vary(0.24, 0.08) * qt, width: vary(0.05, 0.15) },
  ];
}

function addGaussian(signal: Float64Array, center: number, width: number, amplitude: number): void {
  const from = Math.max(0, Math.floor(center - 4 * width));
  const to = Math.min(signal.length - 1, Math.ceil(center + 4 * width));
  for (let i = from; i <= to; i++) signal[i]! += amplitude * Math.exp(-0.5 * ((i - center) / width) ** 2);
}

function addNoise(signal: Float64Array, rng: SeededRandom, heavy: boolean): void {
  const n = signal.length;
  const sigma = heavy ? 0.25 + 0.3 * rng.uniform() : 0.02 + 0.05 * rng.uniform();
  const wander = heavy ? 0.3 + 0.5 * rng.uniform() : 0.02 + 0.12 * rng.uniform();
  const frequency = (0.1 + 0.4 * rng.uniform()) / ecgSynthRate;
  const phase = 2 * Math.PI * rng.uniform();
  for (let i = 0; i < n; i++) signal[i]! += sigma * rng.normal() + wander * Math.sin(2 * Math.PI * frequency * i + phase);
  if (!heavy) return;
  // Motion artefacts: bursts of large, slow oscillation.
  const bursts = 1 + rng.int(3);
  for (let b = 0; b < bursts; b++) {
    const start = rng.int(n);
    const duration = 100 + rng.int(200);
    const amplitude = 0.8 + 1.2 * rng.uniform();
    const period = 20 + 60 * rng.uniform();
    for (let i = start; i < Math.min(n, start + duration); i++) {
      const envelope = Math.sin((Math.PI * (i - start)) / duration);
      signal[i]! += amplitude * envelope * Math.sin((2 * Math.PI * (i - start)) / period);
    }
  }
}
