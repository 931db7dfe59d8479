/**
 * Darcy flow on the unit square: -div(a grad u) = f, u = 0 on the boundary, on an n x n grid of nodes
 * (spacing h = 1/(n - 1), boundary nodes included). Five-point finite differences with the coefficient on each
 * cell face taken as the harmonic mean of its two nodes (the flux through a face between two materials is
 * continuous, so the face conductance is their series combination), solved by conjugate gradients with Jacobi
 * (diagonal) preconditioning. The scheme is second-order accurate for smooth a; the system is symmetric
 * positive definite.
 *
 * Node (i, j) is row i (y = i h) and column j (x = j h); arrays are row-major n x n.
 */

export interface DarcySolveOptions {
  /** Stop when ||b - A u|| <= tolerance * ||b|| (default 1e-10). */
  tolerance?: number;
  /** Default 10 n^2 (CG converges in at most n^2 steps in exact arithmetic). */
  maxIterations?: number;
}

export interface DarcySolution {
  /** n x n, zero on the boundary. */
  u: Float64Array;
  iterations: number;
  /** ||b - A u|| / ||b|| at the end. */
  relativeResidual: number;
  converged: boolean;
}

/** The face coefficient between two nodes: their harmonic mean. */
export function harmonicMean(a: number, b: number): number {
  return (2 * a * b) / (a + b);
}

/** Solves -div(a grad u) = f; `a` and `f` are n x n node values (f may be one number). */
export function solveDarcy(a: Float64Array, n: number, f: Float64Array | number, options: DarcySolveOptions = {}): DarcySolution {
  if (a.length !== n * n) throw new Error(`solveDarcy: a has ${a.length} values, expected ${n} x ${n}`);
  const tolerance = options.tolerance ?? 1e-10;
  const total = n * n;
  if (n < 3) return { u: new Float64Array(total), iterations: 0, relativeResidual: 0, converged: true };
  const maxIterations = options.maxIterations ?? 10 * (n - 2) * (n - 2);
  // Every vector lives on the whole n x n grid with zeros on the boundary, so each interior node has all four
  // neighbours and the Dirichlet condition needs no special case. Equations are multiplied by h^2.
  // west[p] is the conductance of the face between node p and p - 1, south[p] between p and p - n.
  const west = new Float64Array(total);
  const south = new Float64Array(total);
  for (let i = 1; i < n; i++) {
    for (let j = 1; j < n; j++) {
      const p = i * n + j;
      west[p] = harmonicMean(a[p]!, a[p - 1]!);
      south[p] = harmonicMean(a[p]!, a[p - n]!);
    }
  }
  const h2 = 1 / ((n - 1) * (n - 1));
  const b = new Float64Array(total);
  const inverseDiagonal = new Float64Array(total);
  forInterior(n, (p) => {
    b[p] = (typeof f === 'number' ? f : f[p]!) * h2;
    inverseDiagonal[p] = 1 / (west[p]! + west[p + 1]! + south[p]! + south[p + n]!);
  });
  const apply = (x: Float64Array, out: Float64Array): void => {
    for (let i = 1; i < n - 1; i++) {
      for (let p = i * n + 1, end = i * n + n - 1; p < end; p++) {
        const w = west[p]!;
        const e = west[p + 1]!;
        const s = south[p]!;
        const nn = south[p + n]!;
        out[p] = (w + e + s + nn) * x[p]! - w * x[p - 1]! - e * x[p + 1]! - s * x[p - n]! - nn * x[p + n]!;
      }
    }
  };
  const u = new Float64Array(total);
  const residual = b.slice();
  const z = new Float64Array(total);
  for (let p = 0; p < total; p++) z[p] = residual[p]! * inverseDiagonal[p]!;
  const direction = z.slice();
  const q = new Float64Array(total);
  const bNorm = Math.sqrt(dot(b, b));
  let rz = dot(residual, z);
  let residualNorm = bNorm;
  let iterations = 0;
  while (residualNorm > tolerance * bNorm && iterations < maxIterations) {
    apply(direction, q);
    const step = rz / dot(direction, q);
    let squares = 0;
    let rzNext = 0;
    for (let p = 0; p < total; p++) {
      u[p]! += step * direction[p]!;
      const r = residual[p]! - step * q[p]!;
      residual[p] = r;
      const zp = r * inverseDiagonal[p]!;
      z[p] = zp;
      squares += r * r;
      rzNext += r * zp;
    }
    const beta = rzNext / rz;
    rz = rzNext;
    for (let p = 0; p < total; p++) direction[p] = z[p]! + beta * direction[p]!;
    residualNorm = Math.sqrt(squares);
    iterations++;
  }
  const relativeResidual = bNorm === 0 ? 0 : residualNorm / bNorm;
  return { u, iterations, relativeResidual, converged: relativeResidual <= tolerance };
}

function forInterior(n: number, visit: (p: number) => void): void {
  for (let i = 1; i < n - 1; i++) for (let j = 1; j < n - 1; j++) visit(i * n + j);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
