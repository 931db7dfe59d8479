/**
 * Naive nested-loop reference for the conv paths, in float64, written from the definitions in docs/ALGORITHM.md
 * section 1 without any of the engine's geometry code: for output position j (stride-1 index j*s) and tap t,
 * the input index is j*s + d*t - before, before = floor(d(k-1)/2) ('same') or d(k-1) ('causal').
 * Also the exact gradients of L = sum(r * y) for an upstream r.
 */

export interface NaivePattern {
  kernel: number;
  dilation: number;
}

export interface NaiveLayer {
  rank: 1 | 2;
  cin: number;
  cout: number;
  stride: number;
  depthwise: boolean;
  padding: 'same' | 'causal';
  patterns: NaivePattern[];
}

/** Input of shape [n, h, w, cin] (h = 1 for rank 1), row-major. */
export interface NaiveInput {
  data: Float64Array;
  n: number;
  h: number;
  w: number;
}

export interface NaiveResult {
  y: Float64Array;
  shape: [number, number, number, number];
}

function before(k: number, d: number, padding: 'same' | 'causal'): number {
  const e = d * (k - 1) + 1;
  return padding === 'same' ? Math.floor((e - 1) / 2) : e - 1;
}

/** Weight index in the tfjs layout: rank 2 [k, k, cin, cout|1], rank 1 [k, cin, cout|1]. */
function weightIndex(layer: NaiveLayer, k: number, a: number, b: number, ci: number, co: number): number {
  const last = layer.depthwise ? 1 : layer.cout;
  const col = layer.depthwise ? 0 : co;
  return layer.rank === 2 ? ((a * k + b) * layer.cin + ci) * last + col : (b * layer.cin + ci) * last + col;
}

function outSize(layer: NaiveLayer, x: NaiveInput): [number, number] {
  return [layer.rank === 2 ? Math.ceil(x.h / layer.stride) : 1, Math.ceil(x.w / layer.stride)];
}

/**
 * Visits every (output, pattern, tap, ci, co) product term: y[o] += coef[p] * x[xi] * w_p[wi].
 */
function forEachTerm(
  layer: NaiveLayer,
  x: NaiveInput,
  visit: (outIndex: number, p: number, xIndex: number, wIndex: number) => void,
): void {
  const [ho, wo] = outSize(layer, x);
  const sH = layer.rank === 2 ? layer.stride : 1;
  layer.patterns.forEach(({ kernel: k, dilation: d }, p) => {
    const bw = before(k, d, layer.padding);
    const bh = layer.rank === 2 ? bw : 0;
    const kh = layer.rank === 2 ? k : 1;
    for (let n = 0; n < x.n; n++) {
      for (let i = 0; i < ho; i++) {
        for (let j = 0; j < wo; j++) {
          for (let a = 0; a < kh; a++) {
            const xi = i * sH + d * a - bh;
            if (xi < 0 || xi >= x.h) continue;
            for (let b = 0; b < k; b++) {
              const xj = j * layer.stride + d * b - bw;
              if (xj < 0 || xj >= x.w) continue;
              for (let co = 0; co < layer.cout; co++) {
                const out = ((n * ho + i) * wo + j) * layer.cout + co;
                const cis = layer.depthwise ? [co] : Array.from({ length: layer.cin }, (_, c) => c);
                for (const ci of cis) {
                  visit(out, p, ((n * x.h + xi) * x.w + xj) * layer.cin + ci, weightIndex(layer, k, a, b, ci, co));
                }
              }
            }
          }
        }
      }
    }
  });
}

export function naiveForward(layer: NaiveLayer, x: NaiveInput, weights: Float64Array[], coefficients: number[], bias: Float64Array | null): NaiveResult {
  const [ho, wo] = outSize(layer, x);
  const y = new Float64Array(x.n * ho * wo * layer.cout);
  forEachTerm(layer, x, (o, p, xi, wi) => {
    y[o]! += coefficients[p]! * x.data[xi]! * weights[p]![wi]!;
  });
  if (bias !== null) for (let o = 0; o < y.length; o++) y[o]! += bias[o % layer.cout]!;
  return { y, shape: [x.n, ho, wo, layer.cout] };
}

export interface NaiveGradients {
  x: Float64Array;
  weights: Float64Array[];
  coefficients: number[];
  bias: Float64Array;
}

/** Exact gradients of L = sum(r * y) with respect to x, each pattern's weights, the coefficients and the bias. */
export function naiveGradients(
  layer: NaiveLayer,
  x: NaiveInput,
  weights: Float64Array[],
  coefficients: number[],
  r: Float64Array,
): NaiveGradients {
  const gx = new Float64Array(x.data.length);
  const gw = weights.map((w) => new Float64Array(w.length));
  const gc = coefficients.map(() => 0);
  forEachTerm(layer, x, (o, p, xi, wi) => {
    const ro = r[o]!;
    gx[xi]! += ro * coefficients[p]! * weights[p]![wi]!;
    gw[p]![wi]! += ro * coefficients[p]! * x.data[xi]!;
    gc[p]! += ro * x.data[xi]! * weights[p]![wi]!;
  });
  const gb = new Float64Array(layer.cout);
  for (let o = 0; o < r.length; o++) gb[o % layer.cout]! += r[o]!;
  return { x: gx, weights: gw, coefficients: gc, bias: gb };
}

/** c = softmax((log_softmax(alpha) + g) / tau). */
export function naiveGumbelSoftmax(alpha: number[], gumbel: number[], tau: number): number[] {
  const max = Math.max(...alpha);
  const lse = max + Math.log(alpha.reduce((s, a) => s + Math.exp(a - max), 0));
  const z = alpha.map((a, i) => (a - lse + gumbel[i]!) / tau);
  const zmax = Math.max(...z);
  const e = z.map((v) => Math.exp(v - zmax));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

/**
 * dL/dalpha from dL/dc through c = softmax(z), z = (alpha - lse(alpha) + g) / tau:
 * dL/dz = c . (dL/dc - <c, dL/dc>); the lse term drops out because dL/dz sums to zero.
 */
export function naiveAlphaGradient(c: number[], dc: number[], tau: number): number[] {
  const dot = c.reduce((s, ci, i) => s + ci * dc[i]!, 0);
  return c.map((ci, i) => (ci * (dc[i]! - dot)) / tau);
}
