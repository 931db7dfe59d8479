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
  const m = n - 2; // interior nodes per side
  const u = new Float64Array(n * n);
  if (m < 1) return { u, iterations: 0, relativeResidual: 0, converged: true };
  const size = m * m;
  const maxIterations = options.maxIterations ?? 10 * size;
  // Face conductances (harmonic means). xFaces[r * (m + 1) + c] joins node columns c and c + 1 in node row r + 1;
  // yFaces[r * m + c] joins node rows r and r + 1 in node column c + 1. Faces to boundary nodes are included.
  const xFaces = new Float64Array(m * (m + 1));
  const yFaces = new Float64Array((m + 1) * m);
  const xFace = (r: number, c: number): number => r * (m + 1) + c;
  const yFace = (r: number, c: number): number => r * m + c;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c <= m; c++) xFaces[xFace(r, c)] = harmonicMean(a[(r + 1) * n + c]!, a[(r + 1) * n + c + 1]!);
  }
  for (let r = 0; r <= m; r++) {
    for (let c = 0; c < m; c++) yFaces[yFace(r, c)] = harmonicMean(a[r * n + c + 1]!, a[(r + 1) * n + c + 1]!);
  }
  // Unknown k = r * m + c is node (r + 1, c + 1): its west/east faces are xFace(r, c)/xFace(r, c + 1), its
  // faces to the rows below/above are yFace(r, c)/yFace(r + 1, c). Equations are multiplied by h^2.
  const h2 = 1 / ((n - 1) * (n - 1));
  const b = new Float64Array(size);
  const diagonal = new Float64Array(size);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      const k = r * m + c;
      b[k] = (typeof f === 'number' ? f : f[(r + 1) * n + c + 1]!) * h2;
      diagonal[k] = xFaces[xFace(r, c)]! + xFaces[xFace(r, c + 1)]! + yFaces[yFace(r, c)]! + yFaces[yFace(r + 1, c)]!;
    }
  }
  const apply = (x: Float64Array, out: Float64Array): void => {
    for (let r = 0; r < m; r++) {
      for (let c = 0; c < m; c++) {
        const k = r * m + c;
        let v = diagonal[k]! * x[k]!;
        if (c > 0) v -= xFaces[xFace(r, c)]! * x[k - 1]!;
        if (c < m - 1) v -= xFaces[xFace(r, c + 1)]! * x[k + 1]!;
        if (r > 0) v -= yFaces[yFace(r, c)]! * x[k - m]!;
        if (r < m - 1) v -= yFaces[yFace(r + 1, c)]! * x[k + m]!;
        out[k] = v;
      }
    }
  };
  const x = new Float64Array(size);
  const residual = b.slice();
  const z = new Float64Array(size);
  for (let k = 0; k < size; k++) z[k] = residual[k]! / diagonal[k]!;
  const p = z.slice();
  const q = new Float64Array(size);
  const bNorm = Math.sqrt(dot(b, b));
  let rz = dot(residual, z);
  let residualNorm = bNorm;
  let iterations = 0;
  while (residualNorm > tolerance * bNorm && iterations < maxIterations) {
    apply(p, q);
    const step = rz / dot(p, q);
    for (let k = 0; k < size; k++) {
      x[k]! += step * p[k]!;
      residual[k]! -= step * q[k]!;
    }
    for (let k = 0; k < size; k++) z[k] = residual[k]! / diagonal[k]!;
    const rzNext = dot(residual, z);
    const beta = rzNext / rz;
    rz = rzNext;
    for (let k = 0; k < size; k++) p[k] = z[k]! + beta * p[k]!;
    residualNorm = Math.sqrt(dot(residual, residual));
    iterations++;
  }
  for (let r = 0; r < m; r++) u.set(x.subarray(r * m, (r + 1) * m), (r + 1) * n + 1);
  const relativeResidual = bNorm === 0 ? 0 : residualNorm / bNorm;
  return { u, iterations, relativeResidual, converged: relativeResidual <= tolerance };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
