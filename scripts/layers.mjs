/**
 * The layers of the codebase, bottom to top, and who may import whom: one table that the lint rule
 * (`pdash/layers` in eslint.config.mjs: each import as it is written) and the structure check
 * (`node scripts/structure.mjs`, test/unit/lint/structure.test.ts: the whole import graph, cycles included) both
 * read. As VS Code's code-layering rule does, it decides by the paths of the importing and the imported file.
 *
 * A module is a folder (or a file) with one public entry. From outside, only its entries may be imported: no deep
 * imports past `index.ts` (VS Code's code-no-deep-import-of-internal). `mayImport` lists the modules below it that
 * a module uses; anything else (a module above, or beside it) is refused.
 */

/** @typedef {{ name: string, level: number, paths: string[], entries: string[] | null, mayImport: string[], why: string }} Layer */

/** @type {Layer[]} */
export const layers = [
  {
    name: 'contract',
    level: 0,
    paths: ['src/shared/contract/', 'src/shared/errors.ts', 'src/shared/format.ts', 'src/shared/rpc.ts', 'src/shared/renderer-policy.ts'],
    entries: ['src/shared/contract/index.ts', 'src/shared/errors.ts', 'src/shared/format.ts', 'src/shared/rpc.ts', 'src/shared/renderer-policy.ts'],
    mayImport: [],
    why: 'the contract (channels, DTO schemas, the enums every vocabulary comes from) is what every process shares',
  },
  {
    name: 'vocabulary',
    level: 1,
    paths: ['src/shared/engine/'],
    entries: ['src/shared/engine/index.ts'],
    mayImport: ['contract'],
    why: "the engine's vocabulary (methods, presets, configuration, search spaces, rounds, specs, events) has no TF.js, so the renderer and the core can use it",
  },
  {
    name: 'charts',
    level: 2,
    paths: ['src/shared/charts/'],
    entries: ['src/shared/charts/index.ts'],
    mayImport: ['contract', 'vocabulary'],
    why: 'chart options are pure functions of contract DTOs, drawn by the renderer and rendered to SVG by the core',
  },
  {
    name: 'array-io',
    level: 2,
    paths: ['src/array-io/'],
    entries: ['src/array-io/index.ts'],
    mayImport: ['contract'],
    why: 'array readers and writers know files, not the lab: the core imports datasets with them, the worker loads stored splits',
  },
  {
    name: 'platform',
    level: 2,
    paths: ['src/platform/'],
    entries: null,
    mayImport: ['contract'],
    why: 'small Node process utilities the worker and the core both need',
  },
  {
    name: 'numerics',
    level: 3,
    paths: ['src/worker/engine/'],
    entries: ['src/worker/engine/index.ts'],
    mayImport: ['contract', 'vocabulary'],
    why: "the engine's numerics are TF.js only: no Node, no files, no lab",
  },
  {
    name: 'worker',
    level: 4,
    paths: ['src/worker/'],
    entries: ['src/worker/index.ts', 'src/worker/main.ts'],
    mayImport: ['contract', 'vocabulary', 'array-io', 'platform', 'numerics'],
    why: 'the worker adapts the engine to a process: it loads data, runs a job and speaks the protocol',
  },
  {
    name: 'core',
    level: 5,
    paths: ['src/main/core/'],
    entries: ['src/main/core/index.ts'],
    mayImport: ['contract', 'vocabulary', 'charts', 'array-io', 'platform', 'worker'],
    why: 'the lab core talks to workers through their protocol, never to the numerics',
  },
  {
    name: 'server',
    level: 6,
    paths: ['src/main/server/'],
    entries: null,
    mayImport: ['contract', 'vocabulary', 'charts', 'platform', 'core'],
    why: 'web mode is a front door onto the core',
  },
  {
    name: 'cli',
    level: 6,
    paths: ['src/cli/'],
    entries: null,
    mayImport: ['contract', 'vocabulary', 'charts', 'platform', 'core', 'server'],
    why: 'the pdash command is a front door onto the core (`pdash serve` starts web mode)',
  },
  {
    name: 'electron',
    level: 6,
    paths: ['src/main/electron/'],
    entries: null,
    mayImport: ['contract', 'vocabulary', 'platform', 'core', 'worker'],
    why: 'the Electron shell is a front door onto the core; it hosts workers in utility processes',
  },
  {
    name: 'preload',
    level: 6,
    paths: ['src/preload/'],
    entries: null,
    mayImport: ['contract'],
    why: 'the preload bridge exposes the contract to the page and nothing else',
  },
  {
    name: 'renderer',
    level: 6,
    paths: ['src/renderer/'],
    entries: null,
    mayImport: ['contract', 'vocabulary', 'charts'],
    why: 'the renderer reaches the lab only through the contract; it may use the vocabulary and the charts',
  },
];

/** The layer a repository-relative path belongs to (the longest matching path wins), or null outside src/. */
export function layerOf(path) {
  let best = null;
  let bestLength = -1;
  for (const layer of layers) {
    for (const prefix of layer.paths) {
      const hit = prefix.endsWith('/') ? path.startsWith(prefix) : path === prefix;
      if (hit && prefix.length > bestLength) {
        best = layer;
        bestLength = prefix.length;
      }
    }
  }
  return best;
}

/**
 * Why `from` may not import `to` (both repository-relative paths of source files), or null when it may.
 * Imports within one module are always allowed.
 */
export function importViolation(from, to) {
  const source = layerOf(from);
  const target = layerOf(to);
  if (source === null || target === null) return null;
  if (source === target) return null;
  if (!source.mayImport.includes(target.name)) {
    const above = target.level > source.level;
    return `${source.name} (${from}) may not import ${target.name} (${to}): ${above ? `${target.name} is above it` : `it uses only ${source.mayImport.join(', ') || 'nothing else'}`}; ${source.why}.`;
  }
  if (target.entries !== null && !target.entries.includes(to)) {
    const entry = target.entries.find((e) => to.startsWith(e.slice(0, e.lastIndexOf('/') + 1))) ?? target.entries[0];
    return `${to} is inside ${target.name}: import its public entry ${entry} instead (no deep imports).`;
  }
  return null;
}
