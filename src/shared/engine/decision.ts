/**
 * How far a searched layer has decided (issue #12): softmax(alpha) near uniform means the search has not chosen,
 * whatever its argmax says, and a leader no further ahead than noise would put it is no choice either.
 *
 * Per layer: the top-two margin of softmax(alpha); the normalised entropy H(p) / log |P| (1: uniform, 0: one
 * pattern); and the leader's lead over the runner-up in alpha, in units of alpha's spread across the layer's
 * candidates (centred log-probabilities, so it is read from softmax(alpha) alone). A layer is decided when
 *  1. its margin is at least UNDECIDED_MARGIN (one percentage point: at initialisation, alpha ~ 1e-3 N(0, 1), margins
 *     are about 1e-4, and at the old `quick` budget every layer was within 0.7% of uniform), and
 *  2. with four or more candidates, its lead is beyond what alpha made of independent noise would show in 95% of
 *     layers of that size (`noiseLead`). The lead is scale-free: a larger alpha learning rate or more steps stretch a
 *     random walk's alpha as much as a real signal's, so a fixed margin alone is passed by noise once the steps are
 *     large (simulated for `quick`'s alpha lr 1 and 100 steps: pure noise reaches a 1-point margin in 27% of
 *     10-candidate and 75% of 5-candidate layers, P-DASH's later rounds). With two or three candidates the spread
 *     cannot tell a lead from noise (the lead is then at most sqrt(3)), and the margin alone decides.
 * docs/ALGORITHM.md sections 12 and 13.
 */
import { SeededRandom } from './random.ts';

/** A leader ahead of the runner-up by less than this (softmax probability, 0.01 = one percentage point) is no choice. */
export const UNDECIDED_MARGIN = 0.01;

/** The share of noise-only layers whose lead stays below `noiseLead` (one in twenty is called decided by chance). */
export const NOISE_LEAD_QUANTILE = 0.95;

/** Layers with fewer candidates are judged by their margin only. */
const LEAD_TEST_MIN_CANDIDATES = 4;

export interface AlphaDecision {
  /** Index of the leading pattern (argmax of softmax(alpha); the first on ties). */
  leader: number;
  /** softmax(alpha) of the leader minus that of the runner-up; 1 for a layer with one candidate. */
  margin: number;
  /** H(p) / log |P|: 1 for uniform, 0 for one pattern (0 for a layer with one candidate). */
  entropy: number;
  /** The leader's alpha minus the runner-up's, over the sample standard deviation of the layer's alpha; null under 4 candidates. */
  lead: number | null;
  /** The lead noise alone exceeds in 5% of layers of this size; null under 4 candidates. */
  noiseLead: number | null;
  decided: boolean;
}

export function layerDecision(probabilities: readonly number[]): AlphaDecision {
  const n = probabilities.length;
  if (n === 0) throw new Error('layerDecision: a layer has at least one candidate');
  let leader = 0;
  for (let i = 1; i < n; i++) if (probabilities[i]! > probabilities[leader]!) leader = i;
  if (n === 1) return { leader, margin: 1, entropy: 0, lead: null, noiseLead: null, decided: true };
  const runnerUp = Math.max(...probabilities.filter((_, i) => i !== leader));
  const margin = probabilities[leader]! - runnerUp;
  let h = 0;
  for (const p of probabilities) if (p > 0) h -= p * Math.log(p);
  const entropy = h / Math.log(n);
  if (n < LEAD_TEST_MIN_CANDIDATES) return { leader, margin, entropy, lead: null, noiseLead: null, decided: margin >= UNDECIDED_MARGIN };
  // log p = alpha - logsumexp(alpha): alpha up to a constant, which the lead does not see.
  const lead = leadInSpread(probabilities.map((p) => Math.log(Math.max(p, Number.MIN_VALUE))));
  const noise = noiseLead(n);
  return { leader, margin, entropy, lead, noiseLead: noise, decided: margin >= UNDECIDED_MARGIN && lead >= noise };
}

/** (largest - second largest) / sample standard deviation of the values; 0 when they are all equal. */
export function leadInSpread(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) throw new Error('leadInSpread: needs at least two values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  if (!(sd > 0)) return 0;
  let first = -Infinity;
  let second = -Infinity;
  for (const v of values) {
    if (v > first) {
      second = first;
      first = v;
    } else if (v > second) second = v;
  }
  return (first - second) / sd;
}

const NOISE_DRAWS = 20_000;
const noiseLeads = new Map<number, number>();

/**
 * The NOISE_LEAD_QUANTILE quantile of `leadInSpread` over `n` independent N(0, 1) values: where alpha made of noise
 * puts its leader. From 20,000 seeded draws (the same numbers everywhere), cached per n; e.g. 1.70 for 4 candidates,
 * 1.44 for 10, 1.27 for 20.
 */
export function noiseLead(n: number): number {
  if (!Number.isInteger(n) || n < 2) throw new Error(`noiseLead: needs at least two candidates, got ${n}`);
  const known = noiseLeads.get(n);
  if (known !== undefined) return known;
  const rng = new SeededRandom(0x5eed).fork(`noise-lead/${n}`);
  const leads = new Float64Array(NOISE_DRAWS);
  const values = new Array<number>(n);
  for (let d = 0; d < NOISE_DRAWS; d++) {
    for (let i = 0; i < n; i++) values[i] = rng.normal();
    leads[d] = leadInSpread(values);
  }
  leads.sort();
  const value = leads[Math.ceil(NOISE_LEAD_QUANTILE * NOISE_DRAWS) - 1]!;
  noiseLeads.set(n, value);
  return value;
}
