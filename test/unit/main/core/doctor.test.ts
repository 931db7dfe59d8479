import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDoctor, runDoctor, type DoctorInput, type Finding } from '../../../../src/main/core/index.ts';
import { findAll } from '../../../../src/main/core/doctor.ts';
import { tempDir } from '../../../helpers/temp-dir.ts';

/** A fake machine: files under `root` stand for the real paths the doctor reads. */
let machine: { path: string; remove: () => void };
let project: { path: string; remove: () => void };
const touch = (path: string, text = ''): void => {
  const file = join(machine.path, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
};

const wasmOnly: DoctorInput['compute'] = {
  backends: [
    { name: 'tensorflow-gpu', available: false, detail: '@tensorflow/tfjs-node-gpu is not installed', probeMs: null },
    { name: 'tensorflow', available: false, detail: '@tensorflow/tfjs-node is not installed', probeMs: null },
    { name: 'wasm', available: true, detail: 'tfjs-backend-wasm 4.22.0, threaded SIMD build, 2 threads', probeMs: 3.8 },
    { name: 'cpu', available: true, detail: 'pure JavaScript', probeMs: 26.8 },
  ],
  preferred: 'wasm',
  tfjsVersion: '4.22.0',
};

function doctor(env: NodeJS.ProcessEnv = {}, compute: DoctorInput['compute'] = wasmOnly) {
  return runDoctor({ root: machine.path, env: { HOME: '/home/u', ...env }, platform: 'linux', projectDir: project.path, compute });
}
const finding = (findings: Finding[], check: string): Finding => {
  const f = findings.find((x) => x.check === check);
  if (f === undefined) throw new Error(`no finding '${check}' among ${findings.map((x) => x.check).join(', ')}`);
  return f;
};

beforeEach(() => {
  machine = tempDir('pdash-doctor-root-');
  project = tempDir('pdash-doctor-project-');
});
afterEach(() => {
  machine.remove();
  project.remove();
});

describe('pdash doctor', () => {
  it('on a machine without an NVIDIA driver says so, names the backend a run uses and what to install for native CPU', () => {
    const report = doctor();
    expect(report.runBackend).toBe('wasm');
    expect(finding(report.findings, 'backend a run uses').found).toMatch(/^wasm \(the fastest .*wasm 3\.8 ms, cpu 26\.8 ms/);
    expect(finding(report.findings, 'NVIDIA driver')).toMatchObject({ status: 'warn', found: expect.stringMatching(/no \/proc\/driver\/nvidia\/version and no libcuda\.so/) });
    expect(report.findings.some((f) => f.check === 'CUDA runtime')).toBe(false);
    expect(finding(report.findings, '@tensorflow/tfjs-node')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/`pdash setup native`/) });
  });

  it('finds a driver, CUDA 12 and cuDNN 9 from pip nvidia-* wheels, with their versions', () => {
    touch('/proc/driver/nvidia/version', 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc 12\n');
    touch('/usr/lib/x86_64-linux-gnu/libcuda.so.1');
    touch('/usr/lib/x86_64-linux-gnu/libcuda.so.550.54.15');
    const site = '/home/u/.local/lib/python3.11/site-packages/nvidia';
    touch(`${site}/cuda_runtime/lib/libcudart.so.12`);
    touch(`${site}/cublas/lib/libcublas.so.12`);
    touch(`${site}/cudnn/lib/libcudnn.so.9`);
    const { findings } = doctor();
    expect(finding(findings, 'NVIDIA driver')).toMatchObject({ status: 'ok', found: expect.stringMatching(/kernel module 550\.54\.15; libcuda\.so in .*x86_64-linux-gnu/) });
    expect(finding(findings, 'CUDA runtime')).toMatchObject({ status: 'ok', found: expect.stringMatching(/libcudart\.so\.12 .*cuda_runtime\/lib.*cuBLAS: libcublas\.so\.12/) });
    expect(finding(findings, 'CUDA runtime').fix).toBeUndefined();
    expect(finding(findings, 'cuDNN')).toMatchObject({ status: 'ok', found: expect.stringMatching(/libcudnn\.so\.9/) });
  });

  it('with only CUDA 11 and cuDNN 8 on LD_LIBRARY_PATH says what tfjs-node-gpu 4.22 needs and how to get CUDA 12', () => {
    touch('/proc/driver/nvidia/version', 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.223.02  Sat Oct  7 15:39:11 UTC 2023\n');
    touch('/opt/cuda11/lib64/libcuda.so.1');
    touch('/opt/cuda11/lib64/libcudart.so.11.0');
    touch('/opt/cuda11/lib64/libcudart.so.11.2.152');
    touch('/opt/cuda11/lib64/libcudnn.so.8');
    touch('/opt/cuda11/lib64/libcudnn.so.8.1.0');
    touch('/usr/local/cuda/version.json', JSON.stringify({ cuda: { name: 'CUDA SDK', version: '11.2.2' } }));
    const { findings } = doctor({ LD_LIBRARY_PATH: '/opt/cuda11/lib64' });
    const cuda = finding(findings, 'CUDA runtime');
    expect(cuda.status).toBe('warn');
    // The most specific name per folder and major version.
    expect(cuda.found).toMatch(/libcudart\.so\.11\.2\.152 \(.*\/opt\/cuda11\/lib64\)/);
    expect(cuda.found).not.toMatch(/libcudart\.so\.11\.0/);
    expect(cuda.found).toMatch(/CUDA toolkit 11\.2\.2/);
    expect(cuda.fix).toMatch(/tensorflow\[and-cuda\]==2\.21\.0/);
    expect(finding(findings, 'cuDNN')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/cuDNN 9/) });
    expect(finding(findings, 'CUDA 11 / cuDNN 8').found).toMatch(/libtensorflow 2\.9\.1/);
  });

  it('a driver module without CUDA libraries fails the CUDA checks with the fix', () => {
    touch('/proc/driver/nvidia/version', 'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release Build\n');
    const { findings } = doctor();
    expect(finding(findings, 'NVIDIA driver')).toMatchObject({ status: 'warn', found: expect.stringMatching(/kernel module 560\.35\.03; libcuda\.so not found/), fix: expect.stringMatching(/libcuda1|libnvidia-compute/) });
    expect(finding(findings, 'CUDA runtime')).toMatchObject({ status: 'fail', found: expect.stringMatching(/^not found/) });
    expect(finding(findings, 'cuDNN').status).toBe('fail');
  });

  it('an installed native package that does not start is a failure with the probe\'s reason and the rebuild command', () => {
    const pkg = join(project.path, 'node_modules', '@tensorflow', 'tfjs-node');
    mkdirSync(join(pkg, 'deps', 'lib'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), '{"name":"@tensorflow/tfjs-node","version":"4.22.0"}');
    writeFileSync(join(pkg, 'deps', 'lib', 'libtensorflow.so.2'), '');
    const compute = { ...wasmOnly, backends: wasmOnly.backends.map((b) => (b.name === 'tensorflow' ? { ...b, detail: '@tensorflow/tfjs-node 4.22.0 failed to load its native library: libtensorflow_framework.so.2: cannot open shared object file' } : b)) };
    const report = doctor({}, compute);
    expect(finding(report.findings, '@tensorflow/tfjs-node')).toMatchObject({ status: 'fail', found: expect.stringMatching(/libtensorflow\.so\.2.*cannot open shared object file/), fix: expect.stringMatching(/`pdash setup native` rebuilds/) });
    const text = formatDoctor(report);
    expect(text).toMatch(/^FAIL {2}@tensorflow\/tfjs-node: installed/m);
    expect(text).toMatch(/^ {6}fix: `pdash setup native` rebuilds/m);
  });

  it('a software WebGPU adapter is a warning that says how to reach the GPU; a failed probe fails', () => {
    const compute = { ...wasmOnly, backends: [...wasmOnly.backends, { name: 'webgpu' as const, available: true, detail: 'WebGPU adapter: Google SwiftShader (fallback adapter)', probeMs: 140 }] };
    expect(finding(doctor({}, compute).findings, 'WebGPU adapter')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/software adapter.*Vulkan/) });
    const failed = doctor({}, { error: 'the compute probe did not answer within 60 s' });
    expect(failed.runBackend).toBeNull();
    expect(finding(failed.findings, 'compute probe')).toMatchObject({ status: 'fail', found: expect.stringMatching(/did not answer/) });
  });

  it('findAll matches only the library and its numeric versions', () => {
    touch('/l/libcudnn.so.9.1.0');
    touch('/l/libcudnn.so');
    touch('/l/libcudnn.so.9.1.0.backup');
    touch('/l/libcudnn_ops.so.9');
    const found = findAll([join(machine.path, '/l')], 'libcudnn.so').map((l) => l.file).sort();
    expect(found).toEqual(['libcudnn.so', 'libcudnn.so.9.1.0']);
  });
});
