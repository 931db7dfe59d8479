/**
 * `pdash doctor`: what a GPU setup has and lacks, each finding with the exact fix. It reads the machine's files
 * (the NVIDIA driver's /proc entry, the CUDA and cuDNN shared libraries on the loader's path, in CUDA's own
 * folders and in pip's `nvidia-*` packages, the native TensorFlow packages in node_modules) and takes the compute
 * probe's answer (which backends a worker starts, and which one a run would use) from the caller. Every path is
 * read under `root`, so tests build fake library folders; nothing here runs a GPU.
 *
 * Version facts it checks against: tfjs-node-gpu 4.22's own download is libtensorflow 2.9.1, built for CUDA 11.2
 * and cuDNN 8.1 (TensorFlow's tested build configurations); `pdash setup native --gpu` builds the same package
 * against the PyPI `tensorflow` 2.21 wheel's C library instead, which needs CUDA 12 and cuDNN 9 (the versions
 * `pip install 'tensorflow[and-cuda]==2.21.0'` installs as nvidia-* wheels).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { LabInfo } from '../../shared/contract/index.ts';

export type FindingStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface Finding {
  /** What was checked, e.g. 'NVIDIA driver'. */
  check: string;
  status: FindingStatus;
  /** What was found, in one line. */
  found: string;
  /** The exact thing to do about it; absent when nothing is to be done. */
  fix?: string;
}

export interface DoctorInput {
  /** Prefix for every absolute path read (tests: a fake machine); '/' on a real one. */
  root?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** The project folder whose node_modules hold the optional native packages. */
  projectDir: string;
  /** The compute probe's answer (LabInfo.compute), or the error that stopped it. */
  compute: LabInfo['compute'] | { error: string };
}

export interface DoctorReport {
  findings: Finding[];
  /** The backend a run with --backend auto would use, or null when the probe failed. */
  runBackend: string | null;
}

/** A shared library found on disk: its file name, folder and the version its name carries (libcudart.so.12.4.127 -> 12.4.127). */
export interface FoundLibrary {
  file: string;
  dir: string;
  version: string | null;
}

const LIBRARIES = {
  driver: 'libcuda.so',
  cudart: 'libcudart.so',
  cublas: 'libcublas.so',
  cudnn: 'libcudnn.so',
} as const;

/** Where the dynamic loader and CUDA installs usually put the libraries, after LD_LIBRARY_PATH. */
const SYSTEM_LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/usr/lib/wsl/lib', '/usr/local/cuda/lib64', '/usr/local/cuda/targets/x86_64-linux/lib'];

export function runDoctor(input: DoctorInput): DoctorReport {
  const root = input.root ?? '/';
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  const at = (path: string): string => (root === '/' ? path : join(root, path));
  const findings: Finding[] = [];

  // Which backend a run uses, and the probe's view of every backend.
  let runBackend: string | null = null;
  if ('error' in input.compute) {
    findings.push({ check: 'compute probe', status: 'fail', found: `a worker could not be probed: ${input.compute.error}`, fix: 'Check that Node 24 runs the worker: `pdash info` prints the worker\'s own error; reinstall with `npm ci`.' });
  } else {
    runBackend = input.compute.preferred;
    const timed = input.compute.backends.filter((b) => b.available && typeof b.probeMs === 'number').map((b) => `${b.name} ${b.probeMs!.toFixed(1)} ms`);
    findings.push({
      check: 'backend a run uses',
      status: 'info',
      found: `${runBackend} (the fastest that passed its smoke computation${timed.length > 0 ? `; probe step ${timed.join(', ')}` : ''})`,
    });
  }

  if (platform === 'darwin') {
    findings.push({
      check: 'GPU on macOS',
      status: 'info',
      found: 'CUDA does not exist on macOS; the GPU is reached through WebGPU (Metal) in a Chromium page',
      fix: 'Run with `--backend webgpu` (Chrome or Chromium installed); `pdash bench --all-backends` compares it with wasm.',
    });
  } else if (platform === 'linux') {
    findings.push(...cudaFindings(at, env));
  } else {
    findings.push({ check: 'GPU', status: 'info', found: `platform ${platform}: the CUDA checks here cover Linux only`, fix: 'Use `--backend webgpu` (D3D12 through Chromium) for the GPU on this platform.' });
  }

  findings.push(...nativePackageFindings(input.projectDir, input.compute));
  findings.push(webgpuFinding(input.compute));
  return { findings, runBackend };
}

function cudaFindings(at: (path: string) => string, env: NodeJS.ProcessEnv): Finding[] {
  const findings: Finding[] = [];
  const versionFile = at('/proc/driver/nvidia/version');
  const driverText = existsSync(versionFile) ? readFileSync(versionFile, 'utf8') : null;
  const driverVersion = driverText === null ? null : (/Kernel Module\s+(?:for \S+\s+)?(\d+(?:\.\d+)+)/.exec(driverText)?.[1] ?? /(\d{3}\.\d+(?:\.\d+)?)/.exec(driverText)?.[1] ?? 'unknown version');
  const dirs = libraryDirs(at, env);
  const driverLib = findLibrary(dirs, LIBRARIES.driver);
  if (driverVersion === null && driverLib === null) {
    findings.push({
      check: 'NVIDIA driver',
      status: 'warn',
      found: 'none: no /proc/driver/nvidia/version and no libcuda.so on the library path',
      fix: 'No NVIDIA GPU is usable here. With one installed, install its driver (Debian/Ubuntu: `sudo apt-get install nvidia-driver`, or the distribution\'s `ubuntu-drivers install`) and reboot; otherwise use wasm, native CPU (`pdash setup native`) or `--backend webgpu`.',
    });
    return findings;
  }
  findings.push({
    check: 'NVIDIA driver',
    status: driverVersion !== null && driverLib !== null ? 'ok' : 'warn',
    found: `${driverVersion !== null ? `kernel module ${driverVersion}` : 'no kernel module entry (/proc/driver/nvidia/version)'}; ${driverLib !== null ? `libcuda.so in ${driverLib.dir}` : 'libcuda.so not found on the library path'}`,
    ...(driverLib === null ? { fix: 'Install the driver\'s user-space library matching the kernel module (Debian/Ubuntu: `sudo apt-get install libcuda1` or `libnvidia-compute-<version>`).' } : {}),
    ...(driverVersion === null ? { fix: 'The kernel module is not loaded: `sudo modprobe nvidia`, or reinstall the driver and reboot.' } : {}),
  });
  const cudart = findAll(dirs, LIBRARIES.cudart);
  const cublas = findAll(dirs, LIBRARIES.cublas);
  const cudnn = findAll(dirs, LIBRARIES.cudnn);
  const majors = (libs: FoundLibrary[]): number[] => [...new Set(libs.map((l) => Number(l.version?.split('.')[0])).filter((n) => Number.isFinite(n)))].sort((a, b) => a - b);
  const describe = (libs: FoundLibrary[]): string => (libs.length === 0 ? 'not found' : libs.map((l) => `${l.file} (${l.dir})`).join(', '));
  const cudaMajors = majors(cudart);
  const cudnnMajors = majors(cudnn);
  const pipHint = "pip install 'tensorflow[and-cuda]==2.21.0' (it installs CUDA 12 and cuDNN 9 as nvidia-* wheels, which this check and `pdash setup native --gpu` find)";
  findings.push({
    check: 'CUDA runtime',
    status: cudaMajors.includes(12) ? 'ok' : cudart.length > 0 ? 'warn' : 'fail',
    found: `${describe(cudart)}; cuBLAS: ${describe(cublas)}${cudaVersionJson(at)}`,
    ...(cudaMajors.includes(12) ? {} : { fix: `Install CUDA 12's runtime libraries: ${pipHint}, or NVIDIA's CUDA 12 toolkit, and put its lib64 folder on LD_LIBRARY_PATH.` }),
  });
  findings.push({
    check: 'cuDNN',
    status: cudnnMajors.includes(9) ? 'ok' : cudnn.length > 0 ? 'warn' : 'fail',
    found: describe(cudnn),
    ...(cudnnMajors.includes(9) ? {} : { fix: `Install cuDNN 9 for CUDA 12: ${pipHint}, or NVIDIA's cudnn9-cuda-12 package.` }),
  });
  if (cudaMajors.includes(11) && cudnnMajors.includes(8)) {
    findings.push({ check: 'CUDA 11 / cuDNN 8', status: 'info', found: 'present: what tfjs-node-gpu 4.22\'s own libtensorflow 2.9.1 download was built for' });
  }
  return findings;
}

function nativePackageFindings(projectDir: string, compute: DoctorInput['compute']): Finding[] {
  const findings: Finding[] = [];
  const probed = (name: string): { available: boolean; detail: string } | null => ('error' in compute ? null : (compute.backends.find((b) => b.name === name) ?? null));
  for (const [backend, pkg, setup] of [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu', 'pdash setup native --gpu'],
    ['tensorflow', '@tensorflow/tfjs-node', 'pdash setup native'],
  ] as const) {
    const dir = join(projectDir, 'node_modules', pkg);
    const installed = existsSync(join(dir, 'package.json'));
    const libDir = join(dir, 'deps', 'lib');
    const libs = existsSync(libDir) ? readdirSync(libDir).filter((f) => f.startsWith('libtensorflow')) : [];
    const state = probed(backend);
    if (!installed) {
      findings.push({ check: pkg, status: backend === 'tensorflow' ? 'warn' : 'info', found: 'not installed (its own install downloads libtensorflow and needs internet access)', fix: `\`${setup}\` installs it and builds its binding against the TensorFlow C library of the PyPI wheel.` });
      continue;
    }
    const libText = libs.length > 0 ? `libtensorflow: ${libs.join(', ')}` : 'no libtensorflow in deps/lib';
    if (state?.available === true) {
      findings.push({ check: pkg, status: 'ok', found: `installed, ${libText}; the probe ran its smoke computation: ${state.detail}` });
    } else {
      findings.push({
        check: pkg,
        status: 'fail',
        found: `installed, ${libText}; ${state === null ? 'not probed' : `it does not start: ${state.detail}`}`,
        fix: `\`${setup}\` rebuilds it against the wheel's library${backend === 'tensorflow-gpu' ? ' (CUDA 12 and cuDNN 9 must be found above)' : ''}.`,
      });
    }
  }
  return findings;
}

function webgpuFinding(compute: DoctorInput['compute']): Finding {
  const webgpu = 'error' in compute ? null : compute.backends.find((b) => b.name === 'webgpu');
  if (webgpu === undefined || webgpu === null) {
    return { check: 'WebGPU adapter', status: 'info', found: 'not probed (no browser host: Chromium was not found)', fix: 'Install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`) or set PDASH_CHROMIUM to a Chrome or Chromium executable.' };
  }
  if (webgpu.available) {
    const software = /swiftshader|fallback|software/i.test(webgpu.detail);
    return {
      check: 'WebGPU adapter',
      status: software ? 'warn' : 'ok',
      found: webgpu.detail,
      ...(software ? { fix: 'This is a software adapter (correct but slow): for the GPU, run Chromium where a GPU driver with Vulkan is installed (Linux: `vulkaninfo` lists it; Debian: `sudo apt-get install mesa-vulkan-drivers` or the NVIDIA driver).' } : {}),
    };
  }
  return { check: 'WebGPU adapter', status: 'warn', found: webgpu.detail, fix: 'Chromium found no WebGPU adapter: install the GPU\'s Vulkan driver (Linux: `vulkaninfo` should list the GPU), or set PDASH_WEBGPU_ADAPTER=swiftshader to test on the CPU.' };
}

/** LD_LIBRARY_PATH first, then the usual system folders, CUDA installs and pip's nvidia-* packages. */
function libraryDirs(at: (path: string) => string, env: NodeJS.ProcessEnv): string[] {
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '').map(at);
  dirs.push(...SYSTEM_LIBRARY_DIRS.map(at));
  for (const base of ['/usr/local', '/opt']) {
    for (const name of safeList(at(base))) if (/^cuda-\d/.test(name)) dirs.push(join(at(base), name, 'lib64'));
  }
  // pip wheels: site-packages/nvidia/<component>/lib (user and system installs, any Python 3).
  const home = env.HOME ?? '/root';
  const sitePackages: string[] = [];
  for (const lib of [join(home, '.local', 'lib'), '/usr/local/lib', '/usr/lib']) {
    for (const python of safeList(at(lib))) {
      if (!/^python3/.test(python)) continue;
      for (const kind of ['site-packages', 'dist-packages']) sitePackages.push(join(at(lib), python, kind, 'nvidia'));
    }
  }
  if (env.VIRTUAL_ENV) for (const python of safeList(join(at(env.VIRTUAL_ENV), 'lib'))) sitePackages.push(join(at(env.VIRTUAL_ENV), 'lib', python, 'site-packages', 'nvidia'));
  for (const nvidia of sitePackages) for (const component of safeList(nvidia)) dirs.push(join(nvidia, component, 'lib'));
  return [...new Set(dirs)];
}

function safeList(dir: string): string[] {
  try {
    return statSync(dir).isDirectory() ? readdirSync(dir) : [];
  } catch {
    return [];
  }
}

/** Every file named `base` or `base.<version>` in the folders, in folder order. */
export function findAll(dirs: readonly string[], base: string): FoundLibrary[] {
  const found: FoundLibrary[] = [];
  for (const dir of dirs) {
    for (const file of safeList(dir)) {
      if (file !== base && !file.startsWith(`${base}.`)) continue;
      const version = file.length > base.length ? file.slice(base.length + 1) : null;
      if (version !== null && !/^\d+(\.\d+)*$/.test(version)) continue;
      found.push({ file, dir, version });
    }
  }
  // The most specific name per folder and major version (libcudart.so.12.4.127 over libcudart.so.12).
  const best = new Map<string, FoundLibrary>();
  for (const lib of found) {
    const key = `${lib.dir}|${lib.version?.split('.')[0] ?? ''}`;
    const held = best.get(key);
    if (held === undefined || (lib.version ?? '').length > (held.version ?? '').length) best.set(key, lib);
  }
  return [...best.values()];
}

function findLibrary(dirs: readonly string[], base: string): FoundLibrary | null {
  return findAll(dirs, base)[0] ?? null;
}

/** "; CUDA 12.4.1 (/usr/local/cuda/version.json)" when the toolkit's version file is there. */
function cudaVersionJson(at: (path: string) => string): string {
  const file = at('/usr/local/cuda/version.json');
  try {
    const version = (JSON.parse(readFileSync(file, 'utf8')) as { cuda?: { version?: string } }).cuda?.version;
    return version ? `; CUDA toolkit ${version} (/usr/local/cuda/version.json)` : '';
  } catch {
    return '';
  }
}

const MARK: Record<FindingStatus, string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', info: 'info' };

export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARK[f.status]}  ${f.check}: ${f.found}`);
    if (f.fix !== undefined) lines.push(`      fix: ${f.fix}`);
  }
  return lines.join('\n') + '\n';
}
