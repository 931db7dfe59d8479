/**
 * The hostile-input suite for array files (issue #10): malformed files of every format the lab imports (npy v1-3,
 * npz stored and deflated, CSV/TSV, MAT v5 plain and compressed, MAT v7.3, pickle), truncated at every section
 * boundary, with lying headers, as decompression bombs, and as seeded fast-check mutations (byte flips,
 * truncations, header fields overwritten), each imported by the real CLI in a child process under
 * `--max-old-space-size` and a resident-memory watchdog. Each must be refused cleanly (or, for a mutation that
 * leaves valid data, imported): one line naming the file, the CLI's exit code for bad input, no crash, memory
 * under the cap, and nothing left in the lab (no row, no file under datasets/, the database intact).
 *
 * The three bombs are those of the issue: a 1.5 MB .npz whose directory under-states its entry's size (peaked at
 * 4.6 GB), a 3 MB compressed MAT v5 whose variables do the same (6 GB, and imported), and an 11 KB MAT v7.3
 * declaring 30000 x 421 x 421 doubles in chunks never written (3.75 GB). Here they are built smaller (768 MiB
 * inside) so that they still pass the cap on unbounded readers while costing milliseconds to make.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deflateRawWithZeros, hdf5FillBomb, lyingZip, mat5Header, mat5Matrix, understatedMat5, understatedNpz, zlibWithZeros } from '../helpers/hostile-files.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { mat5Bytes, mat73UserBlock } from '../unit/array-io/reference-mat.ts';
import { concat, crc32, encodeElements, npyBytes, zipBytes } from '../unit/array-io/reference-npy.ts';
import { dumps, py } from '../unit/array-io/reference-pickle.ts';

/** What src/cli/main.ts exits with when a command fails on bad input (2 is for usage errors). */
const failedExit = 1;
const heapLimitMb = 256;
const rssCapBytes = 512 * 1024 * 1024;
const bombZeros = 768 * 1024 * 1024;
const mutationsPerFormat = 40;
const runner = join(import.meta.dirname, '../fixtures/processes/hostile-import.ts');

interface HostileCase {
  id: string;
  argv: string[];
  lab: string;
  /** The hostile file, which the message must name. */
  file: string;
  /** Fixed cases must be refused; a random mutation may leave valid data, which may import. */
  mustRefuse: boolean;
}

interface CaseResult {
  id: string;
  code: number;
  stdout: string;
  stderr: string;
  peakRss: number;
}

let dir: ReturnType<typeof tempDir>;
beforeAll(() => {
  dir = tempDir('pdash-hostile-');
});
afterAll(() => dir.remove());

/** Writes the files of one format's cases and remembers how to import them. */
class Cases {
  readonly list: HostileCase[] = [];
  readonly format: string;
  private readonly root: string;
  private readonly y: string;

  constructor(format: string) {
    this.format = format;
    this.root = join(dir.path, format);
    mkdirSync(join(this.root, 'labs'), { recursive: true });
    this.y = join(this.root, 'y.npy');
    writeFileSync(this.y, npyBytes({ descr: '<i8', shape: [16], data: encodeElements(Array.from({ length: 16 }, (_, i) => i % 2), 'i8', true) }));
  }

  private lab(id: string): string {
    return join(this.root, 'labs', id);
  }

  /** `file` as train and test x, with valid labels. */
  arrays(id: string, extension: string, bytes: Uint8Array, mustRefuse = true): void {
    const file = join(this.root, `${id}.${extension}`);
    writeFileSync(file, bytes);
    const lab = this.lab(id);
    const argv = ['dataset', 'import', '--name', id, '--kind', 'classification', '--train-x', file, '--train-y', this.y, '--test-x', file, '--test-y', this.y, '--lab', lab];
    this.list.push({ id, argv, lab, file, mustRefuse });
  }

  /** A CSV (or TSV) as x and y of both splits. */
  table(id: string, extension: 'csv' | 'tsv', bytes: Uint8Array, mustRefuse = true): void {
    const file = join(this.root, `${id}.${extension}`);
    writeFileSync(file, bytes);
    const lab = this.lab(id);
    const argv = ['dataset', 'import', '--name', id, '--kind', 'classification', '--train-x', file, '--train-y', file, '--test-x', file, '--test-y', file, '--lab', lab];
    this.list.push({ id, argv, lab, file, mustRefuse });
  }

  /** A NAS-Bench-360 file in a folder of its own, imported with import-nb360. */
  nb360(id: string, task: 'darcy' | 'ecg', bytes: Uint8Array, mustRefuse = true): void {
    const folder = join(this.root, id);
    mkdirSync(folder);
    const file = join(folder, task === 'darcy' ? 'piececonst_r421_N1024_smooth1.mat' : 'challenge2017.pkl');
    writeFileSync(file, bytes);
    const lab = this.lab(id);
    this.list.push({ id, argv: ['dataset', 'import-nb360', task, folder, '--lab', lab], lab, file, mustRefuse });
  }

  /** Each cut of `bytes` (a valid file) at the given offsets, through `add`. */
  truncations(bytes: Uint8Array, cuts: readonly number[], add: (id: string, bytes: Uint8Array) => void): void {
    for (const cut of [...new Set(cuts)].filter((c) => c >= 0 && c < bytes.length)) add(`cut-${cut}`, bytes.slice(0, cut));
  }

  /**
   * Seeded fast-check mutations of a valid file: byte flips, truncations, and 32-bit header fields overwritten
   * with random values (at the offsets given: length fields, sizes, offsets). They may leave a valid file.
   */
  mutations(bytes: Uint8Array, fields: readonly number[], seed: number, add: (id: string, bytes: Uint8Array) => void): void {
    const length = bytes.length;
    const flip = fc.record({ kind: fc.constant('flip' as const), at: fc.array(fc.record({ pos: fc.nat(length - 1), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }) });
    const cut = fc.record({ kind: fc.constant('cut' as const), at: fc.nat(length - 1) });
    const offsets = fields.filter((f) => f + 4 <= length);
    const field = offsets.length === 0 ? null : fc.record({
      kind: fc.constant('field' as const),
      at: fc.constantFrom(...offsets),
      value: fc.oneof(fc.constantFrom(0, 1, 0x7fffffff, 0xffffffff, 0xfffffff0), fc.nat(), fc.integer({ min: 0, max: 0xffffffff })),
    });
    const mutation = field === null ? fc.oneof(flip, cut) : fc.oneof(flip, cut, field);
    fc.sample(mutation, { seed, numRuns: mutationsPerFormat }).forEach((m, i) => {
      let out: Uint8Array;
      if (m.kind === 'cut') out = bytes.slice(0, m.at);
      else {
        out = bytes.slice();
        if (m.kind === 'flip') for (const { pos, xor } of m.at) out[pos]! ^= xor;
        else new DataView(out.buffer).setUint32(m.at, m.value >>> 0, true);
      }
      add(`mut-${i}-${m.kind}`, out);
    });
  }
}

/** Runs the cases in one child process under a small heap, killing it if its resident memory passes the cap. */
async function runCases(cases: Cases): Promise<Map<string, CaseResult>> {
  const casesFile = join(dir.path, `${cases.format}-cases.json`);
  writeFileSync(casesFile, JSON.stringify(cases.list.map(({ id, argv }) => ({ id, argv }))));
  const child = spawn(process.execPath, [`--max-old-space-size=${heapLimitMb}`, runner, casesFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let overCap: number | null = null;
  // The watchdog: a monitor of the child's VmRSS, not a wait; it stops a runaway reader before it eats the machine.
  const watchdog = setInterval(() => {
    let status: string;
    try {
      status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    } catch {
      return; // already gone
    }
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    if (rss > rssCapBytes && overCap === null) {
      overCap = rss;
      child.kill('SIGKILL');
    }
  }, 25);
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  clearInterval(watchdog);
  const lines = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Partial<CaseResult> & { id: string; started?: boolean });
  const running = lines.filter((l) => l.started).at(-1)?.id;
  if (overCap !== null) throw new Error(`${cases.format}: case '${running}' passed ${rssCapBytes} bytes of resident memory (${overCap}); killed`);
  expect(stderr.split('\n').filter((l) => l.trim() !== '' && !/Warning|--trace-warnings|DEP0137/.test(l)), `${cases.format}: child stderr (while '${running}' ran)`).toEqual([]);
  expect(exit, `${cases.format}: the child process ended with ${JSON.stringify(exit)} while '${running}' ran`).toEqual({ code: 0, signal: null });
  return new Map(lines.filter((l) => !l.started).map((l) => [l.id, l as CaseResult]));
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(folder, f)).isFile());
}

/** Asserts every case was refused cleanly (or, where allowed, imported), with the lab untouched by refusals. */
function check(cases: Cases, results: Map<string, CaseResult>): { refused: number; imported: number } {
  let refused = 0;
  let imported = 0;
  for (const c of cases.list) {
    const r = results.get(c.id);
    const label = `${cases.format} ${c.id}`;
    expect(r, `${label}: no result`).toBeDefined();
    expect(r!.peakRss, `${label}: peak resident memory`).toBeLessThan(rssCapBytes);
    const db = new Database(join(c.lab, 'lab.sqlite'), { readonly: true });
    let rows: number;
    try {
      expect(db.pragma('integrity_check', { simple: true }), `${label}: database integrity`).toBe('ok');
      rows = db.prepare('SELECT count(*) FROM datasets').pluck().get() as number;
    } finally {
      db.close();
    }
    if (r!.code === 0) {
      expect(c.mustRefuse, `${label}: imported, but must be refused: ${r!.stdout}`).toBe(false);
      expect(rows, `${label}: imported without a row`).toBe(1);
      imported++;
      continue;
    }
    const [message, ...rest] = r!.stderr.trimEnd().split('\n');
    expect(r!.stderr, `${label}: not a bug`).not.toMatch(/bug in P-DASH Lab|\n\s+at /);
    expect(r!.code, `${label}: exit code: ${r!.stderr}`).toBe(failedExit);
    // Readers name the file; the pipeline's checks of the data it read (a mutated value that is finite as a double
    // but not as float32) name the dataset and split being imported instead.
    const dataset = c.argv[1] === 'import-nb360' ? `nb360-${c.argv[2]}` : c.id;
    expect(message!.includes(basename(c.file)) || (!c.mustRefuse && message!.includes(`${dataset} `)), `${label}: the message names the file: ${message}`).toBe(true);
    expect(message!.length, `${label}: a one-line message of sensible length: ${message}`).toBeLessThan(800);
    // Text from the file is escaped: a control character could end the line or drive the terminal.
    expect(message, `${label}: control characters in the message`).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(rest.every((l) => l.startsWith('  ')), `${label}: one line of message, then the indented hint: ${r!.stderr}`).toBe(true);
    expect(rows, `${label}: refused, but a row was written`).toBe(0);
    expect(filesUnder(join(c.lab, 'datasets')), `${label}: refused, but files were left under datasets/`).toEqual([]);
    refused++;
    if (process.env.HOSTILE_PRINT) console.info(`${label} -> ${message}`);
  }
  return { refused, imported };
}

// --- valid base files --------------------------------------------------------------------------------------

const xValues = Array.from({ length: 16 * 4 }, (_, i) => (i % 9) * 0.25 - 1);
const xData = encodeElements(xValues, 'f4', true);
const npyV = (version: 1 | 2 | 3): Uint8Array => npyBytes({ descr: '<f4', shape: [16, 4, 1], data: xData, version });
const npyWithHeader = (header: string, version: 1 | 2 | 3 = 1, data = xData): Uint8Array => npyBytes({ descr: '<f4', shape: [16, 4, 1], data, version, header });

function darcyVariables(compress: boolean): Uint8Array {
  const samples = 220;
  const values = (k: number) => Array.from({ length: samples * 36 }, (_, i) => ((i * 7 + k) % 11) + 1);
  return mat5Bytes([
    { name: 'coeff', matlabClass: 'double', dims: [samples, 6, 6], values: values(0), storedAs: 'u1', compress },
    { name: 'sol', matlabClass: 'double', dims: [samples, 6, 6], values: values(3), storedAs: 'u1', compress },
  ]);
}

async function darcyV73(path: string): Promise<Uint8Array> {
  const h5 = await import('h5wasm/node');
  await h5.ready;
  const body = `${path}.body`;
  const file = new h5.File(body, 'w');
  for (const [name, k] of [['coeff', 0], ['sol', 3]] as const) {
    const data = Float64Array.from({ length: 220 * 36 }, (_, i) => ((i * 7 + k) % 11) + 1);
    const dataset = file.create_dataset({ name, data, shape: [6, 6, 220], dtype: '<d' });
    dataset.create_attribute('MATLAB_class', 'double');
  }
  file.close();
  return concat([mat73UserBlock(), readFileSync(body)]);
}

function ecgPickle(): Uint8Array {
  const lengths = [2600, 2600, 2600, 2600, 3000, 2500, 2400, 2800, 2700, 2650, 3100, 2900];
  const labels = ['N', 'A', 'O', '~', 'N', 'A', 'O', '~', 'N', 'A', 'O', '~'];
  const recording = (r: number) => Array.from({ length: lengths[r]! }, (_, i) => Math.round(300 * Math.sin(i / (20 + r)) + (i % 7)));
  return dumps(
    py.dict([
      [py.str('data'), py.objarray(lengths.map((_, r) => py.ndarray('<i2', [lengths[r]!], encodeElements(recording(r), 'i2', true))))],
      [py.str('label'), py.objarray(labels.map(py.str))],
    ]),
    { protocol: 4, numpyCore: 'numpy.core' },
  );
}

/** Where a zip's central directory starts, from its end record. */
function centralDirectoryOffset(zip: Uint8Array): number {
  return new DataView(zip.buffer, zip.byteOffset).getUint32(zip.length - 22 + 16, true);
}

function summarize(format: string, counts: { refused: number; imported: number }, cases: Cases, results: Map<string, CaseResult>): void {
  // The untouched files import: the refusals above are of the damage, not of the format.
  for (const c of cases.list.filter((k) => k.id.startsWith('valid'))) expect(results.get(c.id)!.code, `${format} ${c.id}: ${results.get(c.id)!.stderr}`).toBe(0);
  const peak = Math.max(...[...results.values()].map((r) => r.peakRss));
  console.info(`${format}: ${cases.list.length} files, ${counts.refused} refused, ${counts.imported} imported (mutations that kept valid data), peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
}

describe('hostile array files are refused cleanly under a memory cap', () => {
  it('npy v1-3: truncated at every section boundary, lying headers, mutations', async () => {
    const cases = new Cases('npy');
    const add = (prefix: string) => (id: string, bytes: Uint8Array) => cases.arrays(`${prefix}${id}`, 'npy', bytes);
    for (const version of [1, 2, 3] as const) {
      const file = npyV(version);
      cases.arrays(`valid-v${version}`, 'npy', file, false);
      const headerEnd = file.length - xData.length;
      cases.truncations(file, [0, 3, 6, 7, 9, version === 1 ? 10 : 12, headerEnd - 30, headerEnd - 1, headerEnd, headerEnd + 5, file.length - 1], add(`v${version}-`));
    }
    add('lie-')('rows', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (17, 4, 1), }"));
    add('lie-')('itemsize', npyWithHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (16, 4, 1), }"));
    add('lie-')('petabytes', npyWithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000000, 4, 1), }"));
    add('lie-')('unsafe-shape', npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'9'.repeat(30)}, 4, 1), }`));
    add('lie-')('object', npyWithHeader("{'descr': '|O', 'fortran_order': False, 'shape': (16, 4, 1), }"));
    add('lie-')('complex', npyWithHeader("{'descr': '<c8', 'fortran_order': False, 'shape': (16, 4, 1), }"));
    add('lie-')('descr-garbage', npyWithHeader(`{'descr': '${'\\x01z'.repeat(300)}', 'fortran_order': False, 'shape': (16, 4, 1), }`));
    add('lie-')('no-order', npyWithHeader("{'descr': '<f4', 'shape': (16, 4, 1), }"));
    // The header: 400 KB of nesting, which the message used to repeat whole.
    add('lie-')('nested', npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (16, 4, 1), 'x': ${'['.repeat(200_000)}${']'.repeat(200_000)}}`, 2));
    add('lie-')('nested-short', npyWithHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (16, 4, 1), 'x': ${'('.repeat(2000)}${')'.repeat(2000)}}`, 2));
    const hugeLength = npyV(2);
    new DataView(hugeLength.buffer).setUint32(8, 0xfffffff0, true);
    add('lie-')('header-length', hugeLength);
    const version9 = npyV(1);
    version9[6] = 9;
    add('lie-')('version', version9);
    for (const version of [1, 2, 3] as const) cases.mutations(npyV(version), [8], 100 + version, (id, bytes) => cases.arrays(`v${version}-${id}`, 'npy', bytes, false));
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('npy', counts, cases, results);
    // The nested header is refused before it is parsed, and its message does not repeat it.
    expect(results.get('lie-nested')!.stderr.length).toBeLessThan(600);
    expect(results.get('lie-nested-short')!.stderr).toMatch(/nest deeper than \d+ levels/);
    expect(results.get('lie-descr-garbage')!.stderr.split('\n')[0]!.length).toBeLessThan(600);
  });

  it('npz stored and deflated: truncations, lying directory sizes, the under-stated bomb, mutations', async () => {
    const cases = new Cases('npz');
    const npy = npyV(1);
    for (const deflate of [false, true]) {
      const name = deflate ? 'deflated' : 'stored';
      const zip = zipBytes([{ name: 'x.npy', data: npy, deflate }]);
      cases.arrays(`valid-${name}`, 'npz', zip, false);
      const central = centralDirectoryOffset(zip);
      const add = (id: string, bytes: Uint8Array) => cases.arrays(`${name}-${id}`, 'npz', bytes);
      cases.truncations(zip, [0, 4, 29, 30, 35, 100, central - 1, central, central + 20, central + 46, zip.length - 22, zip.length - 10, zip.length - 1], add);
      cases.mutations(zip, [14, 18, 22, 26, central + 16, central + 20, central + 24, central + 42, zip.length - 22 + 10, zip.length - 22 + 12, zip.length - 22 + 16], deflate ? 202 : 201, (id, bytes) =>
        cases.arrays(`${name}-${id}`, 'npz', bytes, false),
      );
    }
    const deflated = concat(deflateRawWithZeros(npy, 0));
    const lie = (id: string, entry: Parameters<typeof lyingZip>[0][0]) => cases.arrays(`lie-${id}`, 'npz', lyingZip([entry]));
    // The bomb: the directory states the true, small size, the stream goes on for 768 MiB.
    cases.arrays('bomb-understated', 'npz', understatedNpz(bombZeros));
    lie('overstated', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: 0xfffffff0, crc: crc32(npy) });
    lie('understated-small', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: npy.length - 64, crc: crc32(npy) });
    lie('stored-beyond-file', { name: 'x.npy', stored: npy, method: 0, uncompressedSize: 0xfffffff0, compressedSize: 0xfffffff0, crc: crc32(npy) });
    lie('stored-sizes-differ', { name: 'x.npy', stored: npy, method: 0, uncompressedSize: npy.length * 4, crc: crc32(npy) });
    lie('crc', { name: 'x.npy', stored: deflated, method: 8, uncompressedSize: npy.length, crc: crc32(npy) ^ 1 });
    lie('method', { name: 'x.npy', stored: deflated, method: 12 as 8, uncompressedSize: npy.length, crc: crc32(npy) });
    const beyond = lyingZip([{ name: 'x.npy', stored: npy, method: 0, uncompressedSize: npy.length, crc: crc32(npy) }]);
    new DataView(beyond.buffer).setUint32(beyond.length - 22 + 16, 0x7ffffff0, true);
    cases.arrays('lie-directory-offset', 'npz', beyond);
    const local = lyingZip([{ name: 'x.npy', stored: npy, method: 0, uncompressedSize: npy.length, crc: crc32(npy) }]);
    new DataView(local.buffer).setUint32(centralDirectoryOffset(local) + 42, 0x7ffffff0, true);
    cases.arrays('lie-local-offset', 'npz', local);
    const zip64 = lyingZip([{ name: 'x.npy', stored: npy, method: 0, uncompressedSize: npy.length, crc: crc32(npy) }]);
    new DataView(zip64.buffer).setUint16(zip64.length - 22 + 10, 0xffff, true);
    cases.arrays('lie-zip64-missing', 'npz', zip64);
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('npz', counts, cases, results);
    expect(results.get('bomb-understated')!.stderr).toMatch(/decompresses to more than the \d+ bytes its header declares/);
    expect(results.get('lie-overstated')!.stderr).toMatch(/more than deflate can produce/);
  });

  it('CSV and TSV: cut rows, garbage, mutations', async () => {
    const cases = new Cases('csv');
    const rows = Array.from({ length: 16 }, (_, i) => `${(i % 5) * 0.5},${i % 3},${(i * 7) % 4},${i % 2}`);
    const csv = new TextEncoder().encode(`a,b,c,label\n${rows.join('\n')}\n`);
    const tsv = new TextEncoder().encode(`a\tb\tc\tlabel\n${rows.join('\n').replaceAll(',', '\t')}\n`);
    // Cuts inside the last row: after a separator (an empty cell) and inside a cell (too few cells).
    cases.table('valid', 'csv', csv, false);
    cases.table('valid-tsv', 'tsv', tsv, false);
    const lastRow = csv.length - rows.at(-1)!.length - 1;
    cases.truncations(csv, [0, 5, lastRow + 2, lastRow + 3, lastRow + 5], (id, bytes) => cases.table(id, 'csv', bytes));
    cases.truncations(tsv, [tsv.length - 3], (id, bytes) => cases.table(`tsv-${id}`, 'tsv', bytes));
    cases.table('garbage', 'csv', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    cases.table('long-cell', 'csv', new TextEncoder().encode(`a,label\n${'x'.repeat(100_000)},1\n`));
    cases.table('control-chars', 'csv', new TextEncoder().encode('a,label\n1\u0000\u001b[2J,1\n'));
    cases.table('header-only', 'csv', new TextEncoder().encode('a,b,label\n'));
    cases.mutations(csv, [], 301, (id, bytes) => cases.table(id, 'csv', bytes, false));
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('csv', counts, cases, results);
  });

  it('MAT v5 plain and compressed: truncations, lying element sizes, the under-stated bomb, mutations', async () => {
    const cases = new Cases('mat5');
    for (const compress of [false, true]) {
      const name = compress ? 'compressed' : 'plain';
      const file = darcyVariables(compress);
      cases.nb360(`valid-${name}`, 'darcy', file, false);
      const firstLength = new DataView(file.buffer).getUint32(132, true);
      const second = 136 + firstLength + (compress ? 0 : (8 - (firstLength % 8)) % 8);
      const add = (id: string, bytes: Uint8Array) => cases.nb360(`${name}-${id}`, 'darcy', bytes);
      cases.truncations(file, [0, 64, 127, 128, 132, 136, 140, 152, 168, 184, 200, 220, 400, second - 1, second, second + 8, file.length - 1], add);
      cases.mutations(file, [128, 132, 136, 140, 148, 152, 160, 168, 176, 184, second, second + 4, second + 8], compress ? 402 : 401, (id, bytes) =>
        cases.nb360(`${name}-${id}`, 'darcy', bytes, false),
      );
    }
    // The bomb: each variable's miMATRIX states its true size, its zlib stream goes on for 768 MiB.
    cases.nb360('bomb-understated', 'darcy', understatedMat5(bombZeros));
    const matrix = mat5Matrix('coeff', [220, 6, 6]);
    const tag = (type: number, length: number) => {
      const t = new Uint8Array(8);
      new DataView(t.buffer).setUint32(0, type, true);
      new DataView(t.buffer).setUint32(4, length, true);
      return t;
    };
    // A compressed element whose miMATRIX declares 10000 x 421 x 421 bytes from a few hundred compressed bytes.
    const bigMatrix = mat5Matrix('coeff', [10000, 421, 421], new Uint8Array(0));
    new DataView(bigMatrix.buffer).setUint32(4, 10000 * 421 * 421 + 64, true);
    new DataView(bigMatrix.buffer).setUint32(bigMatrix.length - 4, 10000 * 421 * 421, true);
    const z = zlibWithZeros(bigMatrix, 0);
    cases.nb360('lie-overstated', 'darcy', concat([mat5Header(), tag(15, z.length), z]));
    // Plain elements: a data tag that disagrees with the dimensions, an element longer than the file, negative dims.
    const wrongData = matrix.slice();
    new DataView(wrongData.buffer).setUint32(wrongData.length - Math.ceil((220 * 36) / 8) * 8 - 4, 220 * 36 * 2, true);
    cases.nb360('lie-data-length', 'darcy', concat([mat5Header(), wrongData]));
    const longer = matrix.slice();
    new DataView(longer.buffer).setUint32(4, 0x7ffffff0, true);
    cases.nb360('lie-element-length', 'darcy', concat([mat5Header(), longer]));
    cases.nb360('lie-negative-dims', 'darcy', concat([mat5Header(), mat5Matrix('coeff', [-220, 6, 6], new Uint8Array(0))]));
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('mat5', counts, cases, results);
    expect(results.get('bomb-understated')!.stderr).toMatch(/decompresses to more than the \d+ bytes its header declares/);
    expect(results.get('lie-overstated')!.stderr).toMatch(/more than deflate can produce/);
  });

  it('MAT v7.3: truncations, garbage HDF5, the fill-value bomb, mutations', async () => {
    const cases = new Cases('mat73');
    const file = await darcyV73(join(dir.path, 'v73'));
    cases.nb360('valid', 'darcy', file, false);
    cases.truncations(file, [0, 100, 512, 520, 600, 800, 1200, 2000, 4000, Math.floor(file.length / 2), file.length - 100, file.length - 1], (id, bytes) => cases.nb360(id, 'darcy', bytes));
    const garbage = new Uint8Array(8192);
    garbage.set(file.subarray(0, 520));
    for (let i = 520; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    cases.nb360('garbage', 'darcy', garbage);
    // The bomb: 30000 x 421 x 421 doubles, chunked and deflated, no chunk written: 11 KB.
    for (const [id, dims] of [['bomb-fill', [30000, 421, 421]], ['bomb-fill-small', [2000, 421, 421]]] as const) {
      await hdf5FillBomb(join(dir.path, `${id}.h5`), dims);
      cases.nb360(id, 'darcy', concat([mat73UserBlock(), readFileSync(join(dir.path, `${id}.h5`))]));
    }
    cases.mutations(file, [512 + 8, 512 + 12, 512 + 16, 512 + 24, 512 + 32, 512 + 40], 501, (id, bytes) => cases.nb360(id, 'darcy', bytes, false));
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('mat73', counts, cases, results);
    expect(results.get('bomb-fill')!.stderr).toMatch(/declares 30000 x 421 x 421 elements of 8 bytes/);
    expect(results.get('garbage')!.stderr).not.toContain('name not defined');
  });

  it('pickle: truncations and mutations of challenge2017.pkl', async () => {
    const cases = new Cases('pickle');
    const file = ecgPickle();
    cases.nb360('valid', 'ecg', file, false);
    cases.truncations(file, [0, 1, 2, 5, 11, 12, 40, 100, 1000, Math.floor(file.length / 2), file.length - 2, file.length - 1], (id, bytes) => cases.nb360(id, 'ecg', bytes));
    cases.mutations(file, [3, 7], 601, (id, bytes) => cases.nb360(id, 'ecg', bytes, false));
    const results = await runCases(cases);
    const counts = check(cases, results);
    summarize('pickle', counts, cases, results);
  });
});
