import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import {
  bindingHeaderRoots,
  checkWheel,
  DEPS_LIB_LINKS,
  extractionProblem,
  extractWheel,
  isWheelOf,
  keptBindingPath,
  linkDeps,
  nativePaths,
  nodeGypCandidates,
  nodeGypCommand,
  nodeHeadersDir,
  npmInstallCommand,
  pinnedVersion,
  pipDownloadCommand,
  PROJECT_ROOT,
  resolveNativeCache,
} from '../../../src/cli/native-setup.ts';
import { restoreUtilForTfjsNode, tfjsNodeBinding } from '../../../src/platform/tfjs-node.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const dir = tempDir('pdash-native-');
afterAll(() => dir.remove());
const hasPython = spawnSync('python3', ['-c', 'import zipfile'], { stdio: 'ignore' }).status === 0;

/** Writes a zip with python's zipfile (the reader under test is python's too, as pip's wheels are). */
function writeZip(file: string, members: Record<string, string>): void {
  const script = 'import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n    for n, t in json.loads(sys.argv[2]).items(): z.writestr(n, t)';
  const result = spawnSync('python3', ['-c', script, file, JSON.stringify(members)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`writing ${file}: ${result.stderr}`);
}

const goodWheel: Record<string, string> = {
  'tensorflow/libtensorflow_cc.so.2': 'cc library '.repeat(1000),
  'tensorflow/libtensorflow_framework.so.2': 'framework library',
  'tensorflow/include/tensorflow/c/c_api.h': '#include <stdint.h>\n#include "tensorflow/c/tf_status.h"\n#include "tensorflow/c/only_elsewhere.h"\n',
  'tensorflow/include/tensorflow/c/tf_status.h': '  #  include "tsl/c/tsl_status.h"\n',
  'tensorflow/include/tsl/c/tsl_status.h': '/* leaf */\n',
  'tensorflow/include/tensorflow/c/unused.h': '/* not included by anything */\n',
  'tensorflow/python/big_python_part.py': 'print()\n',
};

describe('pdash setup native: paths and command lines', () => {
  it('the cache is --cache, else $PDASH_NATIVE_CACHE, else ~/.cache/pdash-lab/native; relative paths from the working folder', () => {
    const home = '/home/ada';
    expect(resolveNativeCache({ env: {}, home, cwd: '/w' })).toBe('/home/ada/.cache/pdash-lab/native');
    expect(resolveNativeCache({ env: { PDASH_NATIVE_CACHE: '' }, home, cwd: '/w' })).toBe('/home/ada/.cache/pdash-lab/native');
    expect(resolveNativeCache({ env: { PDASH_NATIVE_CACHE: 'cache' }, home, cwd: '/w' })).toBe('/w/cache');
    expect(resolveNativeCache({ flag: '/c', env: { PDASH_NATIVE_CACHE: '/e' }, home, cwd: '/w' })).toBe('/c');
  });

  it('lays out the cache per wheel: wheels/, <distribution>-<version>/{lib,include,extracted.json}, a build log per variant', () => {
    expect(nativePaths('/c', 'cpu')).toEqual({
      cacheDir: '/c',
      wheelDir: '/c/wheels',
      extractDir: '/c/tensorflow-cpu-2.21.0',
      libDir: '/c/tensorflow-cpu-2.21.0/lib',
      includeDir: '/c/tensorflow-cpu-2.21.0/include',
      stampFile: '/c/tensorflow-cpu-2.21.0/extracted.json',
      buildLog: '/c/node-gyp-cpu.log',
    });
    expect(nativePaths('/c', 'gpu').extractDir).toBe('/c/tensorflow-2.21.0');
  });

  it('keeps a built binding beside the libraries it links to, per package version and N-API version', () => {
    const paths = nativePaths('/c', 'cpu');
    expect(keptBindingPath(paths, '@tensorflow/tfjs-node', '4.22.0', { moduleName: 'tfjs_binding', napiVersion: 8 })).toBe(
      '/c/tensorflow-cpu-2.21.0/bindings/tensorflow+tfjs-node-4.22.0-napi-v8/tfjs_binding.node',
    );
    expect(keptBindingPath(nativePaths('/c', 'gpu'), '@tensorflow/tfjs-node-gpu', '4.22.0', { moduleName: 'tfjs_binding', napiVersion: 8 })).toBe(
      '/c/tensorflow-2.21.0/bindings/tensorflow+tfjs-node-gpu-4.22.0-napi-v8/tfjs_binding.node',
    );
  });

  it("recognises a variant's wheels by PEP 427 file name", () => {
    const cpu = 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl';
    const gpu = 'tensorflow-2.21.0-cp312-cp312-manylinux_2_27_x86_64.whl';
    expect(isWheelOf(cpu, 'cpu')).toBe(true);
    expect(isWheelOf(gpu, 'cpu')).toBe(false);
    expect(isWheelOf(gpu, 'gpu')).toBe(true);
    expect(isWheelOf(cpu, 'gpu')).toBe(false);
    expect(isWheelOf('tensorflow_cpu-2.20.0-cp311-cp311-manylinux_2_27_x86_64.whl', 'cpu')).toBe(false);
    expect(isWheelOf('tensorflow_cpu-2.21.0.tar.gz', 'cpu')).toBe(false);
  });

  it("installs the package without its install script and without touching package.json; downloads only the variant's wheel", () => {
    expect(npmInstallCommand('@tensorflow/tfjs-node', '4.22.0')).toEqual({
      command: 'npm',
      args: ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', '@tensorflow/tfjs-node@4.22.0'],
    });
    const pip = pipDownloadCommand('python3', 'cpu', '/c/wheels');
    expect(pip.command).toBe('python3');
    expect(pip.args.slice(0, 3)).toEqual(['-m', 'pip', 'download']);
    expect(pip.args).toEqual(expect.arrayContaining(['--no-deps', '--only-binary=:all:', '--dest', '/c/wheels', 'tensorflow-cpu==2.21.0']));
    expect(pipDownloadCommand('python3', 'gpu', '/c/wheels').args.at(-1)).toBe('tensorflow==2.21.0');
  });

  it('pins the tfjs-node version package.json pins, the same as tfjs-core (so that npm dedupes them)', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pinnedVersion(PROJECT_ROOT, '@tensorflow/tfjs-node')).toBe(manifest.dependencies['@tensorflow/tfjs-core']);
    expect(pinnedVersion(PROJECT_ROOT, '@tensorflow/tfjs-node-gpu')).toBe(manifest.dependencies['@tensorflow/tfjs-core']);
    expect(() => pinnedVersion(PROJECT_ROOT, 'left-pad')).toThrow(/pins no exact version of left-pad/);
  });

  it("builds with npm's node-gyp against this Node's own headers when they are beside it", () => {
    expect(nodeGypCandidates({ execPath: '/opt/node/bin/node', npmCli: '/usr/lib/node_modules/npm/bin/npm-cli.js' })).toEqual([
      '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
      '/opt/node/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    ]);
    expect(nodeHeadersDir('/opt/node/bin/node', (f) => f === '/opt/node/include/node/node_api.h')).toBe('/opt/node');
    expect(nodeHeadersDir('/opt/node/bin/node', () => false)).toBeNull();
    const options = { moduleName: 'tfjs_binding', moduleDir: '/p/lib/napi-v8', napiVersion: 8 };
    expect(nodeGypCommand('/g/node-gyp.js', { ...options, nodeDir: '/opt/node' }).args).toEqual([
      '/g/node-gyp.js',
      'rebuild',
      '--nodedir=/opt/node',
      '--module_name=tfjs_binding',
      '--module_path=/p/lib/napi-v8',
      '--napi_build_version=8',
    ]);
    expect(nodeGypCommand('/g/node-gyp.js', { ...options, nodeDir: null }).args.some((a) => a.startsWith('--nodedir'))).toBe(false);
  });

  it("puts the binding where node-pre-gyp's find looks: the highest N-API version listed that this Node has", () => {
    const manifest = { binary: { module_name: 'tfjs_binding', module_path: './lib/napi-v{napi_build_version}', napi_versions: [3, 4, 5, 6, 7, 8] } };
    expect(tfjsNodeBinding('/p', manifest, 10)).toEqual({ file: '/p/lib/napi-v8/tfjs_binding.node', moduleName: 'tfjs_binding', moduleDir: '/p/lib/napi-v8', napiVersion: 8 });
    expect(tfjsNodeBinding('/p', manifest, 5).file).toBe('/p/lib/napi-v5/tfjs_binding.node');
    expect(() => tfjsNodeBinding('/p', manifest, 2)).toThrow(/needs N-API 3\/4\/5\/6\/7\/8, this Node has 2/);
    expect(() => tfjsNodeBinding('/p', { name: 'x' }, 10)).toThrow(/no node-pre-gyp "binary" section/);
  });

  it('takes the header roots from the binding sources: quoted tensorflow/ includes only', () => {
    const sources = ['#include <node_api.h>\n#include "tfjs_backend.h"\n#include "tensorflow/c/c_api.h"\n', '  # include "tensorflow/c/eager/c_api.h"\n#include "tensorflow/c/c_api.h"\n// #include "tensorflow/commented.h"'];
    expect(bindingHeaderRoots(sources)).toEqual(['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h']);
  });

  it('links deps/include and deps/lib into the cache, and a second time changes nothing', () => {
    const packageDir = path.join(dir.path, 'pkg');
    const paths = nativePaths(path.join(dir.path, 'cache-links'), 'cpu');
    fs.mkdirSync(path.join(packageDir, 'deps', 'lib'), { recursive: true });
    fs.writeFileSync(path.join(packageDir, 'deps', 'lib', 'libtensorflow.so'), 'a file an earlier install left');
    expect(linkDeps(packageDir, paths)).toBe(true);
    expect(fs.readlinkSync(path.join(packageDir, 'deps', 'include'))).toBe(paths.includeDir);
    for (const [name, target] of Object.entries(DEPS_LIB_LINKS)) expect(fs.readlinkSync(path.join(packageDir, 'deps', 'lib', name))).toBe(path.join(paths.libDir, target));
    expect(linkDeps(packageDir, paths)).toBe(false);
  });
});

describe('util functions Node 23 removed', () => {
  it('are restored only where missing, with their documented meaning', () => {
    const target = util as unknown as { isNullOrUndefined?: (v: unknown) => boolean; isArray?: (v: unknown) => boolean };
    const before = { isNullOrUndefined: target.isNullOrUndefined, isArray: target.isArray };
    try {
      delete target.isNullOrUndefined;
      const mine = (v: unknown): boolean => Array.isArray(v);
      target.isArray = mine;
      expect(restoreUtilForTfjsNode()).toEqual(['isNullOrUndefined']);
      expect(target.isArray).toBe(mine);
      expect([null, undefined, 0, '', false].map((v) => target.isNullOrUndefined!(v))).toEqual([true, true, false, false, false]);
      delete target.isArray;
      expect(restoreUtilForTfjsNode()).toEqual(['isArray']);
      expect([[1], 'ab', { length: 1 }].map((v) => target.isArray!(v))).toEqual([true, false, false]);
      expect(restoreUtilForTfjsNode()).toEqual([]);
      // Node 24's own util.isArray warns (DEP0044) on use: its deprecation wrapper is replaced by Array.isArray.
      target.isArray = util.deprecate((v: unknown) => Array.isArray(v), 'deprecated for the test', 'DEP0044');
      expect(restoreUtilForTfjsNode()).toEqual(['isArray']);
      expect(target.isArray).toBe(Array.isArray);
    } finally {
      for (const [name, fn] of Object.entries(before)) {
        if (fn === undefined) delete target[name as keyof typeof before];
        else target[name as keyof typeof before] = fn;
      }
    }
  });
});

describe.runIf(hasPython)('pdash setup native: the cached wheel and extraction (python3 zipfile)', () => {
  const wheel = path.join(dir.path, 'wheels', 'tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl');
  fs.mkdirSync(path.dirname(wheel), { recursive: true });

  it('accepts a readable zip holding both libraries, and names what is wrong with any other file', async () => {
    writeZip(wheel, goodWheel);
    expect(await checkWheel('python3', wheel)).toEqual({ ok: true, libraries: { 'libtensorflow_cc.so.2': 11_000, 'libtensorflow_framework.so.2': 17 } });
    const truncated = path.join(dir.path, 'truncated.whl');
    fs.writeFileSync(truncated, fs.readFileSync(wheel).subarray(0, fs.statSync(wheel).size - 30));
    expect(await checkWheel('python3', truncated)).toMatchObject({ ok: false, error: expect.stringMatching(/^not a readable zip/) });
    const noFramework = path.join(dir.path, 'no-framework.whl');
    writeZip(noFramework, { 'tensorflow/libtensorflow_cc.so.2': 'x' });
    expect(await checkWheel('python3', noFramework)).toEqual({ ok: false, error: 'holds no libtensorflow_framework.so.2' });
    const html = path.join(dir.path, 'error-page.whl');
    fs.writeFileSync(html, '<html>403 Forbidden</html>');
    expect(await checkWheel('python3', html)).toMatchObject({ ok: false, error: expect.stringMatching(/^not a readable zip/) });
    expect(await checkWheel('python3', path.join(dir.path, 'absent.whl'))).toEqual({ ok: false, error: 'no such file' });
  });

  it("extracts the libraries and the roots' include closure only, and tells a complete extraction from a damaged one", async () => {
    writeZip(wheel, goodWheel);
    const paths = nativePaths(path.join(dir.path, 'cache'), 'cpu');
    const roots = ['tensorflow/c/c_api.h'];
    expect(extractionProblem(paths, roots, null)).toMatch(/extracted\.json is missing/);
    const answer = await extractWheel('python3', wheel, paths, roots);
    expect(answer).toEqual({ ok: true, libraries: { 'libtensorflow_cc.so.2': 11_000, 'libtensorflow_framework.so.2': 17 }, headers: 3 });
    expect(fs.readFileSync(path.join(paths.libDir, 'libtensorflow_framework.so.2'), 'utf8')).toBe('framework library');
    expect(fs.existsSync(path.join(paths.includeDir, 'tsl', 'c', 'tsl_status.h'))).toBe(true);
    expect(fs.existsSync(path.join(paths.includeDir, 'tensorflow', 'c', 'unused.h'))).toBe(false);
    expect(fs.readdirSync(paths.cacheDir)).toEqual(['tensorflow-cpu-2.21.0']);
    expect(extractionProblem(paths, roots, null)).toBeNull();
    expect(extractionProblem(paths, roots, wheel)).toBeNull();
    expect(extractionProblem(paths, roots, '/elsewhere/other.whl')).toMatch(/extracted from tensorflow_cpu-2\.21\.0-.*, not other\.whl/);
    expect(extractionProblem(paths, ['tensorflow/c/eager/c_api.h'], null)).toBe('header tensorflow/c/eager/c_api.h is missing');
    fs.truncateSync(path.join(paths.libDir, 'libtensorflow_cc.so.2'), 100);
    expect(extractionProblem(paths, roots, null)).toMatch(/libtensorflow_cc\.so\.2 is missing or not the size extracted/);
    // A root the wheel lacks fails the extraction and leaves the previous one in place.
    await expect(extractWheel('python3', wheel, paths, ['tensorflow/c/eager/c_api.h'])).rejects.toThrow(/holds no header tensorflow\/c\/eager\/c_api\.h/);
    expect(fs.readdirSync(paths.cacheDir)).toEqual(['tensorflow-cpu-2.21.0']);
  });
});
