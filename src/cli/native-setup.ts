/**
 * `pdash setup native`: a working native TensorFlow backend on a machine where `@tensorflow/tfjs-node`'s own
 * install cannot download libtensorflow (npm then drops the optional package). The library comes from TensorFlow's
 * Python wheel instead, which a pip mirror usually serves: its `libtensorflow_cc.so.2` exports the C API the binding
 * calls. Each step says what it does and is skipped when its result is already there, so a second run only checks:
 *
 *   check    does the package already load and compute? (a process of its own: src/cli/native-check.ts) -> done
 *   wheel    --wheel FILE, else the cached wheel, else `pip download` into the cache (a damaged one is fetched again)
 *   package  `npm install --no-save --ignore-scripts` of the version package.json pins, into the project's node_modules
 *   extract  only the two shared libraries and the headers the binding includes, from the wheel into the cache
 *   link     deps/include and deps/lib inside the package (symlinks into the cache), as its binding.gyp expects
 *   build    node-gyp (the one npm bundles) against this Node's headers; the result is kept in the cache and copied
 *            back after a reinstall
 *   verify   the check again: conv2d and both its gradients on 'tensorflow' against the cpu backend
 *
 * tensorflow 2.21's C API is the one tfjs-node 4.22's binding was written against (built for 2.9; the C API is
 * stable): measured, a dense 9x9 conv forward and filter gradient ran at 223 GFLOP/s against wasm's 45.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabError } from '../shared/errors.ts';
import { installedBinding, TFJS_NODE_PACKAGES, type NativeVariant, type TfjsNodeBinding } from '../platform/tfjs-node.ts';
import type { NativeCheck } from './native-check.ts';

/** The Python distribution whose wheel holds libtensorflow for each variant (CUDA 12 for 'gpu'). */
export const TENSORFLOW_WHEELS = {
  cpu: { distribution: 'tensorflow-cpu', version: '2.21.0' },
  gpu: { distribution: 'tensorflow', version: '2.21.0' },
} as const satisfies Record<NativeVariant, { distribution: string; version: string }>;

/** Members of the wheel the binding links against (their SONAMEs). */
export const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'] as const;
/** Names in the package's deps/lib: binding.gyp links -ltensorflow -ltensorflow_framework; the loader wants the SONAMEs. */
export const DEPS_LIB_LINKS: Readonly<Record<string, (typeof WHEEL_LIBRARIES)[number]>> = {
  'libtensorflow.so': 'libtensorflow_cc.so.2',
  'libtensorflow_cc.so.2': 'libtensorflow_cc.so.2',
  'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
  'libtensorflow_framework.so.2': 'libtensorflow_framework.so.2',
};

/** The project folder: its node_modules is where the engine resolves tfjs-core, so the package goes there. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---------------------------------------------------------------------------------------------------------
// Paths and command lines (pure)

/** `--cache DIR`, else $PDASH_NATIVE_CACHE, else ~/.cache/pdash-lab/native. */
export function resolveNativeCache(options: { flag?: string | undefined; env: NodeJS.ProcessEnv; home: string; cwd: string }): string {
  const chosen = options.flag ?? (options.env.PDASH_NATIVE_CACHE || undefined);
  return chosen === undefined ? path.join(options.home, '.cache', 'pdash-lab', 'native') : path.resolve(options.cwd, chosen);
}

export interface NativePaths {
  cacheDir: string;
  /** pip downloads the wheel here. */
  wheelDir: string;
  /** What extraction keeps: lib/ (the shared libraries), include/ (headers) and extracted.json. */
  extractDir: string;
  libDir: string;
  includeDir: string;
  stampFile: string;
  buildLog: string;
}

export function nativePaths(cacheDir: string, variant: NativeVariant): NativePaths {
  const { distribution, version } = TENSORFLOW_WHEELS[variant];
  const extractDir = path.join(cacheDir, `${distribution}-${version}`);
  return {
    cacheDir,
    wheelDir: path.join(cacheDir, 'wheels'),
    extractDir,
    libDir: path.join(extractDir, 'lib'),
    includeDir: path.join(extractDir, 'include'),
    stampFile: path.join(extractDir, 'extracted.json'),
    buildLog: path.join(cacheDir, `node-gyp-${variant}.log`),
  };
}

/** Whether a file name is a wheel of this distribution and version (PEP 427: dashes in the name become '_'). */
export function isWheelOf(fileName: string, variant: NativeVariant): boolean {
  const { distribution, version } = TENSORFLOW_WHEELS[variant];
  return fileName.startsWith(`${distribution.replaceAll('-', '_')}-${version}-`) && fileName.endsWith('.whl');
}

export interface CommandLine {
  command: string;
  args: string[];
}

export function npmInstallCommand(packageName: string, version: string): CommandLine {
  // --no-save: package.json and package-lock.json stay as they are; --ignore-scripts: the package's install script
  // would try the blocked download and make npm drop the package again.
  return { command: 'npm', args: ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${packageName}@${version}`] };
}

export function pipDownloadCommand(python: string, variant: NativeVariant, wheelDir: string): CommandLine {
  const { distribution, version } = TENSORFLOW_WHEELS[variant];
  return {
    command: python,
    args: ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--no-input', '--disable-pip-version-check', '--progress-bar', 'off', '--dest', wheelDir, `${distribution}==${version}`],
  };
}

export function nodeGypCommand(nodeGyp: string, options: { nodeDir: string | null; moduleName: string; moduleDir: string; napiVersion: number }): CommandLine {
  const args = [nodeGyp, 'rebuild', `--module_name=${options.moduleName}`, `--module_path=${options.moduleDir}`, `--napi_build_version=${options.napiVersion}`];
  if (options.nodeDir !== null) args.splice(2, 0, `--nodedir=${options.nodeDir}`);
  return { command: process.execPath, args };
}

/**
 * Where npm's bundled node-gyp may be: beside the npm on PATH (its npm-cli.js, resolved through links), and in the
 * layout of Node's own distribution (<prefix>/bin/node, <prefix>/lib/node_modules/npm).
 */
export function nodeGypCandidates(options: { execPath: string; npmCli: string | null }): string[] {
  const inNpm = (npmRoot: string): string => path.join(npmRoot, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const candidates: string[] = [];
  if (options.npmCli !== null) candidates.push(inNpm(path.dirname(path.dirname(options.npmCli))));
  candidates.push(inNpm(path.join(path.dirname(path.dirname(options.execPath)), 'lib', 'node_modules', 'npm')));
  return candidates;
}

/** This Node's own headers (<prefix>/include/node), so node-gyp need not download them; null when absent. */
export function nodeHeadersDir(execPath: string, exists: (file: string) => boolean): string | null {
  const prefix = path.dirname(path.dirname(execPath));
  return exists(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

/** The TensorFlow headers the binding's sources include directly (`#include "tensorflow/..."`). */
export function bindingHeaderRoots(sources: readonly string[]): string[] {
  const roots = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/^\s*#\s*include\s+"(tensorflow\/[^"]+)"/gm)) roots.add(match[1]!);
  }
  return [...roots].sort();
}

/** What extraction wrote, so that a later run can tell whether it is complete and from which wheel. */
export interface ExtractionStamp {
  wheel: string;
  wheelBytes: number;
  libraries: Record<string, number>;
  headers: string[];
}

/** Why an extraction cannot be reused (null when it can): missing stamp, library of the wrong size, missing header. */
export function extractionProblem(paths: NativePaths, roots: readonly string[], wheel: string | null): string | null {
  let stamp: ExtractionStamp;
  try {
    stamp = JSON.parse(fs.readFileSync(paths.stampFile, 'utf8')) as ExtractionStamp;
  } catch {
    return `${paths.stampFile} is missing or unreadable`;
  }
  if (wheel !== null && stamp.wheel !== path.basename(wheel)) return `it was extracted from ${stamp.wheel}, not ${path.basename(wheel)}`;
  for (const name of WHEEL_LIBRARIES) {
    const size = fs.statSync(path.join(paths.libDir, name), { throwIfNoEntry: false })?.size;
    if (size === undefined || size !== stamp.libraries?.[name]) return `${path.join(paths.libDir, name)} is missing or not the size extracted`;
  }
  const missing = roots.find((h) => !fs.existsSync(path.join(paths.includeDir, h)));
  return missing === undefined ? null : `header ${missing} is missing`;
}

// ---------------------------------------------------------------------------------------------------------
// The wheel, read with Python's zipfile (pip needs Python anyway; node-gyp too)

/**
 * Checks (`check WHEEL`) or extracts (`extract WHEEL DEST ROOT...`) a wheel. check reads the central directory and
 * looks for the libraries; extract streams the two libraries (CRC-checked by zipfile as they are read) and the
 * closure of the root headers over their quoted includes that the wheel holds, then writes extracted.json. Prints JSON.
 */
export const WHEEL_SCRIPT = String.raw`
import json, os, re, shutil, sys, zipfile
LIBS = ${JSON.stringify(WHEEL_LIBRARIES)}
mode, wheel = sys.argv[1], sys.argv[2]
try:
    z = zipfile.ZipFile(wheel)
    names = set(z.namelist())
except Exception as e:
    print(json.dumps({"ok": False, "error": "not a readable zip (%s)" % e})); sys.exit(0)
lib_of = {}
for lib in LIBS:
    found = [n for n in names if n.endswith("/" + lib) and n.count("/") == 1]
    if not found:
        print(json.dumps({"ok": False, "error": "holds no %s" % lib})); sys.exit(0)
    lib_of[lib] = found[0]
prefix = lib_of[LIBS[0]].split("/")[0] + "/include/"
if mode == "check":
    print(json.dumps({"ok": True, "libraries": {l: z.getinfo(n).file_size for l, n in lib_of.items()}})); sys.exit(0)
dest, roots = sys.argv[3], sys.argv[4:]
os.makedirs(os.path.join(dest, "lib")); os.makedirs(os.path.join(dest, "include"))
sizes = {}
for lib, member in lib_of.items():
    with z.open(member) as src, open(os.path.join(dest, "lib", lib), "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    sizes[lib] = os.path.getsize(os.path.join(dest, "lib", lib))
todo, seen = list(roots), set()
while todo:
    h = todo.pop()
    if h in seen or prefix + h not in names:
        continue
    seen.add(h)
    data = z.read(prefix + h)
    target = os.path.join(dest, "include", h)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as out:
        out.write(data)
    todo.extend(m.decode() for m in re.findall(rb'^\s*#\s*include\s+"([^"]+)"', data, re.M))
missing = [r for r in roots if r not in seen]
if missing:
    print(json.dumps({"ok": False, "error": "holds no header %s" % ", ".join(missing)})); sys.exit(0)
stamp = {"wheel": os.path.basename(wheel), "wheelBytes": os.path.getsize(wheel), "libraries": sizes, "headers": sorted(seen)}
with open(os.path.join(dest, "extracted.json"), "w") as out:
    json.dump(stamp, out, indent=1)
print(json.dumps({"ok": True, "libraries": sizes, "headers": len(seen)}))
`;

export type WheelAnswer = { ok: true; libraries: Record<string, number>; headers?: number } | { ok: false; error: string };

async function runWheelScript(python: string, args: string[]): Promise<WheelAnswer> {
  const result = await runProcess(python, ['-c', WHEEL_SCRIPT, ...args], { cwd: os.tmpdir() });
  const line = lastJsonLine(result.stdout);
  if (result.code !== 0 || line === null) {
    throw new LabError('unavailable', `python3 could not read the wheel ${args[1]}: ${tail(result.stderr || result.stdout, 3)}`, 'Check that python3 works (python3 -c "import zipfile").');
  }
  return line as WheelAnswer;
}

/** Whether a wheel file is a readable zip holding both libraries (the reason when not). */
export async function checkWheel(python: string, wheel: string): Promise<WheelAnswer> {
  if (!fs.existsSync(wheel)) return { ok: false, error: 'no such file' };
  return runWheelScript(python, ['check', wheel]);
}

// ---------------------------------------------------------------------------------------------------------
// Processes

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end, collecting its output (or writing it to `logFile`); a missing command is an error. */
export function runProcess(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; logFile?: string }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const log = options.logFile === undefined ? null : fs.openSync(options.logFile, 'w');
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', log ?? 'pipe', log ?? 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', (error) => {
      if (log !== null) fs.closeSync(log);
      reject(new LabError('unavailable', `could not start ${command}: ${error.message}`, `Install ${path.basename(command)} or put it on PATH.`));
    });
    child.once('close', (code, signal) => {
      if (log !== null) fs.closeSync(log);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function lastJsonLine(text: string): unknown {
  const line = text.trim().split('\n').at(-1);
  if (line === undefined || !line.startsWith('{')) return null;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return null;
  }
}

function tail(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

/** Runs src/cli/native-check.ts in a process of its own. */
export async function runNativeCheck(projectRoot: string, packageName: string): Promise<NativeCheck> {
  const script = path.join(projectRoot, 'src', 'cli', 'native-check.ts');
  const result = await runProcess(process.execPath, [script, packageName], { cwd: projectRoot });
  const check = lastJsonLine(result.stdout) as NativeCheck | null;
  if (check !== null) return check;
  const how = result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  return { ok: false, package: packageName, stage: 'load', message: `the check process ${how} without an answer: ${tail(result.stderr, 5)}` };
}

// ---------------------------------------------------------------------------------------------------------
// The steps

export interface NativeSetupOptions {
  variant: NativeVariant;
  /** A wheel to use instead of the cache or pip. */
  wheel?: string | undefined;
  cacheDir: string;
  projectRoot: string;
  /** Prints one line as each step starts or ends. */
  log: (line: string) => void;
  python?: string;
}

export interface NativeSetupStep {
  step: 'check' | 'wheel' | 'package' | 'extract' | 'link' | 'build' | 'verify';
  /** 'done': it did work; 'reused': what it would make was already there. */
  outcome: 'done' | 'reused';
  detail: string;
  ms: number;
}

export interface NativeSetupResult {
  package: string;
  variant: NativeVariant;
  /** True when the package already loaded and computed: nothing was changed. */
  alreadyWorking: boolean;
  steps: NativeSetupStep[];
  check: Extract<NativeCheck, { ok: true }>;
}

export async function setupNative(options: NativeSetupOptions): Promise<NativeSetupResult> {
  const { variant, projectRoot, log } = options;
  const python = options.python ?? 'python3';
  const packageName = TFJS_NODE_PACKAGES[variant];
  const paths = nativePaths(options.cacheDir, variant);
  const steps: NativeSetupStep[] = [];
  const step = async (name: NativeSetupStep['step'], starting: string, work: () => Promise<{ outcome: NativeSetupStep['outcome']; detail: string }>): Promise<void> => {
    log(`${name}: ${starting}`);
    const t0 = performance.now();
    const { outcome, detail } = await work();
    const ms = Math.round(performance.now() - t0);
    steps.push({ step: name, outcome, detail, ms });
    log(`${name}: ${detail} (${(ms / 1000).toFixed(1)} s)`);
  };

  let first: NativeCheck | null = null;
  await step('check', `does ${packageName} already load and compute?`, async () => {
    first = await runNativeCheck(projectRoot, packageName);
    return { outcome: 'done', detail: first.ok ? first.detail : `no: ${first.message}` };
  });
  const initial = first as NativeCheck | null;
  if (initial?.ok === true) return { package: packageName, variant, alreadyWorking: true, steps, check: initial };

  const version = pinnedVersion(projectRoot, packageName);
  let wheel: string | null = options.wheel === undefined ? null : path.resolve(options.wheel);
  await step('wheel', wheel === null ? `TensorFlow's ${TENSORFLOW_WHEELS[variant].distribution} ${TENSORFLOW_WHEELS[variant].version} wheel, cached in ${paths.cacheDir}` : `checking ${wheel}`, async () => {
    if (wheel !== null) {
      const answer = await checkWheel(python, wheel);
      if (!answer.ok) throw new LabError('bad-request', `--wheel ${wheel}: ${answer.error}`, `Pass a ${TENSORFLOW_WHEELS[variant].distribution} ${TENSORFLOW_WHEELS[variant].version} wheel (pip download --no-deps ${TENSORFLOW_WHEELS[variant].distribution}==${TENSORFLOW_WHEELS[variant].version}).`);
      return { outcome: 'reused', detail: `using ${wheel}` };
    }
    if (extractionProblem(paths, [], null) === null) {
      return { outcome: 'reused', detail: `not needed: its libraries are already extracted in ${paths.extractDir}` };
    }
    const cached = findCachedWheel(paths, variant);
    if (cached !== null) {
      const answer = await checkWheel(python, cached);
      if (answer.ok) {
        wheel = cached;
        return { outcome: 'reused', detail: `cached ${cached}` };
      }
      log(`wheel: the cached ${cached} is damaged (${answer.error}); downloading it again`);
      fs.rmSync(cached, { force: true });
    }
    wheel = await downloadWheel(python, variant, paths);
    return { outcome: 'done', detail: `downloaded ${wheel}` };
  });

  const packageDir = path.join(projectRoot, 'node_modules', ...packageName.split('/'));
  await step('package', `${packageName} ${version} in ${path.join(projectRoot, 'node_modules')}`, async () => {
    if (installedVersion(packageDir) === version) return { outcome: 'reused', detail: `${packageName} ${version} is installed` };
    await installPackage(projectRoot, packageName, version);
    return { outcome: 'done', detail: `installed ${packageName} ${version} without its install script; no other package changed` };
  });
  checkOneTfjsCore(projectRoot, packageName);

  const roots = bindingHeaderRoots(bindingSources(packageDir));
  await step('extract', `the two libraries and the headers the binding includes, into ${paths.extractDir}`, async () => {
    const problem = extractionProblem(paths, roots, options.wheel === undefined ? null : wheel);
    if (problem === null) return { outcome: 'reused', detail: `already extracted in ${paths.extractDir}` };
    if (wheel === null) {
      // The libraries were there when the wheel step looked, but the headers this package includes are not.
      wheel = findCachedWheel(paths, variant) ?? (await downloadWheel(python, variant, paths));
    }
    const answer = await extractWheel(python, wheel, paths, roots);
    return { outcome: 'done', detail: `extracted ${Object.keys(answer.libraries).join(', ')} and ${answer.headers ?? 0} headers from ${path.basename(wheel)}` };
  });

  await step('link', `deps/include and deps/lib in ${packageDir}`, async () => {
    const changed = linkDeps(packageDir, paths);
    if (variant === 'gpu') log(`link: ${await linkNvidiaWheels(python, paths)}`);
    return { outcome: changed ? 'done' : 'reused', detail: changed ? `linked ${path.join(packageDir, 'deps')} to ${paths.extractDir}` : 'the links are in place' };
  });

  const binding = installedBinding(packageDir);
  const stampFile = path.join(packageDir, 'deps', 'pdash-build.json');
  const builtStamp = JSON.stringify({ extractDir: paths.extractDir, stamp: fs.readFileSync(paths.stampFile, 'utf8'), napi: binding.napiVersion });
  // A binding built against this extraction is kept beside it, so that a reinstalled package (after npm ci) gets it
  // back by a copy instead of a 15 s build. Re-extracting the wheel removes it with the libraries it was linked to.
  const kept = keptBindingPath(paths, packageName, version, binding);
  let copiedFromCache = false;
  const build = async (): Promise<void> => {
    await buildBinding(packageDir, binding, paths);
    fs.writeFileSync(stampFile, builtStamp);
    fs.mkdirSync(path.dirname(kept), { recursive: true });
    fs.copyFileSync(binding.file, kept);
  };
  await step('build', `${binding.file} with node-gyp`, async () => {
    if (fs.existsSync(binding.file) && readText(stampFile) === builtStamp) return { outcome: 'reused', detail: 'built before against the same libraries' };
    if (fs.existsSync(kept)) {
      fs.mkdirSync(binding.moduleDir, { recursive: true });
      fs.copyFileSync(kept, binding.file);
      fs.writeFileSync(stampFile, builtStamp);
      copiedFromCache = true;
      return { outcome: 'reused', detail: `copied the binding built before from ${kept}` };
    }
    await build();
    return { outcome: 'done', detail: `built ${path.relative(projectRoot, binding.file)} (kept a copy in ${path.dirname(kept)})` };
  });

  let last: NativeCheck | null = null;
  await step('verify', `loading ${packageName} and comparing conv2d and its gradients with the cpu backend`, async () => {
    last = await runNativeCheck(projectRoot, packageName);
    if (!last.ok && copiedFromCache) {
      log(`verify: the kept binding does not work here (${last.message}); building it afresh`);
      fs.rmSync(kept, { force: true });
      await build();
      last = await runNativeCheck(projectRoot, packageName);
    }
    if (!last.ok) {
      throw new LabError('unavailable', `${packageName} was built but does not work: ${last.message}`, `The build log is ${paths.buildLog}; run 'pdash setup native${variant === 'gpu' ? ' --gpu' : ''}' again after fixing what it names.`);
    }
    return { outcome: 'done', detail: `${last.detail} (max relative difference ${last.maxRelativeError.toExponential(1)})` };
  });
  return { package: packageName, variant, alreadyWorking: false, steps, check: last as unknown as Extract<NativeCheck, { ok: true }> };
}

/** Where a built binding is kept: beside the libraries it links to, per package version and N-API version. */
export function keptBindingPath(paths: NativePaths, packageName: string, version: string, binding: Pick<TfjsNodeBinding, 'moduleName' | 'napiVersion'>): string {
  return path.join(paths.extractDir, 'bindings', `${packageName.replace('@', '').replace('/', '+')}-${version}-napi-v${binding.napiVersion}`, `${binding.moduleName}.node`);
}

/** The version package.json pins for the package (its optionalDependencies), so the setup installs that one. */
export function pinnedVersion(projectRoot: string, packageName: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { optionalDependencies?: Record<string, string> };
  const version = manifest.optionalDependencies?.[packageName];
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new LabError('internal', `${path.join(projectRoot, 'package.json')} pins no exact version of ${packageName} in optionalDependencies (found ${version ?? 'none'})`);
  }
  return version;
}

function installedVersion(packageDir: string): string | null {
  const text = readText(path.join(packageDir, 'package.json'));
  return text === null ? null : ((JSON.parse(text) as { version?: string }).version ?? null);
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    // Absent: the caller treats it as not there yet.
    return null;
  }
}

function findCachedWheel(paths: NativePaths, variant: NativeVariant): string | null {
  const names = fs.existsSync(paths.wheelDir) ? fs.readdirSync(paths.wheelDir).filter((n) => isWheelOf(n, variant)).sort() : [];
  return names[0] === undefined ? null : path.join(paths.wheelDir, names[0]);
}

async function downloadWheel(python: string, variant: NativeVariant, paths: NativePaths): Promise<string> {
  fs.mkdirSync(paths.wheelDir, { recursive: true });
  const { command, args } = pipDownloadCommand(python, variant, paths.wheelDir);
  const result = await runProcess(command, args, { cwd: paths.cacheDir });
  const found = findCachedWheel(paths, variant);
  const { distribution, version } = TENSORFLOW_WHEELS[variant];
  if (result.code !== 0 || found === null) {
    throw new LabError(
      'unavailable',
      `pip could not download ${distribution}==${version}${variant === 'gpu' ? ' (the CUDA 12 build)' : ''}: ${tail(result.stderr || result.stdout, 2)}`,
      `Check that '${command} -m pip download --no-deps ${distribution}==${version}' works (a pip index or mirror that serves it), or download the wheel elsewhere and pass --wheel FILE.`,
    );
  }
  const answer = await checkWheel(python, found);
  if (!answer.ok) throw new LabError('unavailable', `pip downloaded ${found}, but it ${answer.error}`, 'Remove it and check the pip index it came from.');
  return found;
}

export async function extractWheel(python: string, wheel: string, paths: NativePaths, roots: readonly string[]): Promise<Extract<WheelAnswer, { ok: true }>> {
  // Into a fresh folder beside the final one, renamed into place when complete: an interrupted run leaves no half.
  const partial = `${paths.extractDir}.partial-${process.pid}`;
  fs.rmSync(partial, { recursive: true, force: true });
  try {
    const answer = await runWheelScript(python, ['extract', wheel, partial, ...roots]);
    if (!answer.ok) throw new LabError('bad-request', `${wheel} ${answer.error}`, 'Remove it (or pass another --wheel) and run the setup again.');
    fs.rmSync(paths.extractDir, { recursive: true, force: true });
    fs.renameSync(partial, paths.extractDir);
    return answer;
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
}

function bindingSources(packageDir: string): string[] {
  const dir = path.join(packageDir, 'binding');
  if (!fs.existsSync(dir)) throw new LabError('unavailable', `${packageDir} has no binding/ sources to build`, 'Reinstall the package (remove its folder and run the setup again).');
  return fs.readdirSync(dir).filter((n) => /\.(cc|h)$/.test(n)).map((n) => fs.readFileSync(path.join(dir, n), 'utf8'));
}

/** Points deps/include and deps/lib/* at the extraction; returns whether anything changed. */
export function linkDeps(packageDir: string, paths: NativePaths): boolean {
  const deps = path.join(packageDir, 'deps');
  const wanted: Array<[string, string]> = [[path.join(deps, 'include'), paths.includeDir]];
  for (const [name, target] of Object.entries(DEPS_LIB_LINKS)) wanted.push([path.join(deps, 'lib', name), path.join(paths.libDir, target)]);
  let changed = false;
  fs.mkdirSync(path.join(deps, 'lib'), { recursive: true });
  for (const [link, target] of wanted) {
    let current: string | null = null;
    try {
      current = fs.readlinkSync(link);
    } catch {
      // Not a link (absent, or a file or folder an earlier install left): replaced below.
    }
    if (current === target) continue;
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(target, link);
    changed = true;
  }
  return changed;
}

/**
 * The CUDA build's libraries find CUDA 12 and cuDNN 9 through RUNPATH entries relative to the wheel's layout,
 * `$ORIGIN/../nvidia/<package>/lib`, where pip's nvidia-* wheels (`pip install 'tensorflow[and-cuda]==2.21.0'`) put
 * them (tensorflow/tensorflow#59825). Beside the extracted lib/ folder, `nvidia` is linked to that package so that the
 * same entries resolve; without it the libraries must be on the loader's path. Not exercised where this was written
 * (no GPU wheel on its mirror). Returns what it did, for the log.
 */
async function linkNvidiaWheels(python: string, paths: NativePaths): Promise<string> {
  const found = await runProcess(python, ['-c', 'import nvidia; print(list(nvidia.__path__)[0])'], { cwd: paths.cacheDir });
  const dir = found.code === 0 ? found.stdout.trim() : '';
  const link = path.join(paths.extractDir, 'nvidia');
  fs.rmSync(link, { force: true });
  if (dir === '' || !fs.existsSync(dir)) {
    return "no pip nvidia-* packages for this python3: CUDA 12 and cuDNN 9 must be on the loader's path (pip install 'tensorflow[and-cuda]==2.21.0' installs them; pdash doctor checks)";
  }
  fs.symlinkSync(dir, link);
  return `CUDA and cuDNN from pip's nvidia-* packages in ${dir} (linked as ${link})`;
}

async function installPackage(projectRoot: string, packageName: string, version: string): Promise<void> {
  const before = await installedPackages(projectRoot);
  const { command, args } = npmInstallCommand(packageName, version);
  const result = await runProcess(command, args, { cwd: projectRoot });
  if (result.code !== 0) {
    throw new LabError('unavailable', `'${command} ${args.join(' ')}' failed (exit ${result.code}): ${tail(result.stderr || result.stdout, 3)}`, 'It needs the npm registry (or your mirror of it); run it in the project folder to see the whole output.');
  }
  const after = await installedPackages(projectRoot);
  const lost = [...before].filter((p) => !after.has(p));
  if (lost.length > 0) {
    throw new LabError('internal', `npm install ${packageName} removed or changed other packages: ${lost.slice(0, 5).join(', ')}${lost.length > 5 ? ` and ${lost.length - 5} more` : ''}`, "Run 'npm ci' to restore the locked packages, and report this.");
  }
}

/** Every package in node_modules as 'path:name@version' (npm ls's long parseable form). */
async function installedPackages(projectRoot: string): Promise<Set<string>> {
  const result = await runProcess('npm', ['ls', '--all', '--parseable', '--long', '--silent'], { cwd: projectRoot });
  return new Set(result.stdout.split('\n').filter((l) => l.includes('@')).map((l) => l.split(':').slice(0, 2).join(':')));
}

/** The engine only sees the native backend when the package's tfjs-core is the engine's own (npm deduped them). */
function checkOneTfjsCore(projectRoot: string, packageName: string): void {
  const ours = createRequire(path.join(projectRoot, 'package.json'));
  const theirs = createRequire(ours.resolve(packageName)).resolve('@tensorflow/tfjs-core');
  if (theirs !== ours.resolve('@tensorflow/tfjs-core')) {
    throw new LabError('unavailable', `${packageName} resolves its own tfjs-core (${theirs}), not the engine's (${ours.resolve('@tensorflow/tfjs-core')})`, 'Install the same version of both (package.json pins them) and run npm dedupe.');
  }
}

async function buildBinding(packageDir: string, binding: ReturnType<typeof installedBinding>, paths: NativePaths): Promise<void> {
  const npmCli = npmCliPath();
  const nodeGyp = nodeGypCandidates({ execPath: process.execPath, npmCli }).find((c) => fs.existsSync(c));
  if (nodeGyp === undefined) {
    throw new LabError('unavailable', `found no node-gyp (looked in ${nodeGypCandidates({ execPath: process.execPath, npmCli }).join(', ')})`, 'It comes with npm; install npm for this Node, or node-gyp (npm install -g node-gyp).');
  }
  const nodeDir = nodeHeadersDir(process.execPath, fs.existsSync);
  const { command, args } = nodeGypCommand(nodeGyp, { nodeDir, moduleName: binding.moduleName, moduleDir: binding.moduleDir, napiVersion: binding.napiVersion });
  fs.mkdirSync(paths.cacheDir, { recursive: true });
  const result = await runProcess(command, args, { cwd: packageDir, logFile: paths.buildLog });
  if (result.code !== 0 || !fs.existsSync(binding.file)) {
    throw new LabError(
      'unavailable',
      `node-gyp could not build ${binding.file} (exit ${result.code}); the end of ${paths.buildLog}:\n${tail(fs.readFileSync(paths.buildLog, 'utf8'), 8)}`,
      `It needs python3, make and a C++ compiler (Debian: apt-get install -y python3 make g++)${nodeDir === null ? ", and this Node's headers, which node-gyp downloads when Node's own are not beside it" : ''}.`,
    );
  }
}

/** npm's own entry script (npm-cli.js), through the links of the npm on PATH; null when there is none. */
function npmCliPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (!fs.existsSync(candidate)) continue;
    return fs.realpathSync(candidate);
  }
  return null;
}
