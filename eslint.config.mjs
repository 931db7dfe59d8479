// Lint: mainly the import boundaries of ARCHITECTURE.md, plus a few rules from STYLE.md's house habits.
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';
import vueParser from 'vue-eslint-parser';

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
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-debugger': 'error',
      'no-restricted-imports': ['error', { patterns: [electronOnly] }],
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
    plugins: { vue, '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
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
    // The shared contract is imported by every process: it may depend only on the schema library.
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [electronOnly, { group: [...nodeBuiltins, ...nodeOnlyPackages, '**/main/**', '**/worker/**', '**/renderer/**', '**/cli/**'], message: 'src/shared is imported by every process: keep it free of process-specific imports.' }] }],
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
