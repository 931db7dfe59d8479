// Lint: mainly the import boundaries of docs/ARCHITECTURE.md (the layers: scripts/layers.mjs), plus a few rules
// from docs/STYLE.md's house habits.
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';
import { layersRule } from './scripts/eslint-layers-rule.mjs';

const pdash = { rules: { layers: layersRule } };

const nodeBuiltins = ['node:*', 'fs', 'fs/*', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https', 'net', 'stream', 'url', 'util', 'zlib', 'module', 'process', 'buffer', 'events', 'v8', 'vm'];
// A regex on the specifier, not a gitignore-style group: 'electron/*' also matched relative paths through a
// folder named electron (../src/main/electron/fuses.ts), which is not the electron package.
const electronOnly = { regex: '^electron(/.*)?$', message: 'Only src/main/electron and src/preload may import electron (ARCHITECTURE.md).' };
const nodeOnlyPackages = ['better-sqlite3', 'ws', 'h5wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', '.reports/**', 'test/e2e/artifacts/**'] },
  {
    files: ['**/*.ts', '**/*.mts', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
    plugins: { '@typescript-eslint': tseslint.plugin, pdash },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-debugger': 'error',
      'no-restricted-imports': ['error', { patterns: [electronOnly] }],
      'pdash/layers': 'error',
    },
  },
  {
    files: ['src/main/electron/**/*.ts', 'src/preload/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The engine's numerics run in any JS runtime: no Node-only or Electron modules.
    files: ['src/worker/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            { group: nodeBuiltins, message: 'The engine (src/worker/engine) must not import Node-only modules; put Node specifics in src/worker/ and pass them in.' },
            { group: nodeOnlyPackages, message: 'The engine must not import Node-only packages; load them in src/worker/node-runtime.ts.' },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks only to the contract: no Node, no Electron, no core.
    files: ['src/renderer/**/*.ts', 'src/renderer/**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module', extraFileExtensions: ['.vue'] } },
    plugins: { vue, '@typescript-eslint': tseslint.plugin, pdash },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'pdash/layers': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronOnly,
            { group: nodeBuiltins, message: 'The renderer runs in a sandboxed page: no Node modules.' },
            { group: [...nodeOnlyPackages, '**/main/**', '**/worker/**', '**/cli/**'], message: 'The renderer reaches the lab only through the contract (src/shared) and its client.' },
          ],
        },
      ],
    },
  },
  {
    // The contract, the engine's vocabulary and the charts are imported by every process (the renderer included):
    // they may depend only on the schema library. No TF.js: the vocabulary is what the numerics build on.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electronOnly, { group: [...nodeBuiltins, ...nodeOnlyPackages, '@tensorflow/*'], message: 'src/shared is imported by every process, the renderer included: no Node, no TF.js, no process-specific package.' }] }],
    },
  },
  {
    // Array I/O and the platform utilities know files and processes, not tensors.
    files: ['src/array-io/**/*.ts', 'src/platform/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electronOnly, { group: ['@tensorflow/*'], message: 'Array I/O reads and writes files; tensors are the engine\'s (src/worker/engine).' }] }],
    },
  },
  {
    // The core is plain Node: no Electron, no renderer.
    files: ['src/main/core/**/*.ts', 'src/main/server/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electronOnly, { group: ['**/renderer/**', '**/main/electron/**'], message: 'The core and its front doors do not reach into the Electron shell or the renderer.' }] }],
    },
  },
);
