#!/usr/bin/env node
/**
 * The structure check: the import graph of src/ (type-only imports included), checked against the layers of
 * scripts/layers.mjs, with every import circle found. `node scripts/structure.mjs` prints the graph by layer (a
 * Mermaid diagram, as docs/ARCHITECTURE.md shows it), then any import that runs back up or past a public entry,
 * then any circle, and exits 1 when there is one. test/unit/lint/structure.test.ts runs the same check in npm test.
 *
 * The lint rule sees one import at a time; this sees the whole graph, so it also finds circles, which no single
 * import shows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importViolation, layerOf, layers } from './layers.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Source files under `dir`, repository-relative. */
function sourceFiles(root, dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(root, path));
    else if (/\.(ts|mts|vue)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Comments removed (block comments, and line comments that start a line), so examples in docs are not imports. */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const importPattern = /(?:^|[;\s])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+?\s+from\s+)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a file imports or re-exports, type-only and dynamic imports included. */
export function specifiersOf(text) {
  const code = stripComments(text);
  const specifiers = [];
  for (const match of code.matchAll(importPattern)) specifiers.push(match[1] ?? match[2]);
  return specifiers;
}

/** Edges file -> file (repository-relative) for every relative import in src/. */
export function importGraph(root = repoRoot) {
  const files = sourceFiles(root, 'src');
  const graph = new Map();
  for (const file of files) {
    const targets = new Set();
    for (const specifier of specifiersOf(readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      targets.add(normalize(join(dirname(file), specifier.split('?')[0])).split('\\').join('/'));
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Imports that break the layer rules, with the reason. */
export function layerViolations(graph) {
  const found = [];
  for (const [from, targets] of graph) {
    for (const to of targets) {
      const problem = importViolation(from, to);
      if (problem !== null) found.push({ from, to, problem });
    }
  }
  return found;
}

/** Import circles: the strongly connected components of more than one file, or a file that imports itself (Tarjan). */
export function importCycles(graph) {
  let index = 0;
  const indexOf = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const visit = (node) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indexOf.get(next)));
      }
    }
    if (low.get(node) === indexOf.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return cycles;
}

/** The graph by layer: how many imports go from each layer to each other one. */
export function layerEdges(graph) {
  const counts = new Map();
  for (const [from, targets] of graph) {
    const source = layerOf(from);
    for (const to of targets) {
      const target = layerOf(to);
      if (source === null || target === null || source === target) continue;
      const key = `${source.name} --> ${target.name}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

export function mermaid(graph) {
  const lines = ['flowchart BT'];
  const byLevel = new Map();
  for (const layer of layers) byLevel.set(layer.level, [...(byLevel.get(layer.level) ?? []), layer]);
  for (const [level, group] of [...byLevel].sort((a, b) => a[0] - b[0])) {
    lines.push(`  subgraph level${level}[level ${level}]`);
    for (const layer of group) lines.push(`    ${layer.name.replace('-', '_')}["${layer.name}<br/>${layer.paths.join('<br/>')}"]`);
    lines.push('  end');
  }
  for (const [edge, count] of [...layerEdges(graph)].sort()) {
    const [from, to] = edge.split(' --> ');
    lines.push(`  ${from.replace('-', '_')} -->|${count}| ${to.replace('-', '_')}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  const graph = importGraph();
  const violations = layerViolations(graph);
  const cycles = importCycles(graph);
  console.log(`${graph.size} files, ${[...graph.values()].reduce((n, t) => n + t.length, 0)} relative imports\n`);
  console.log(mermaid(graph));
  console.log(`\n${violations.length} import(s) against the layers`);
  for (const v of violations) console.log(`  ${v.problem}`);
  console.log(`${cycles.length} import circle(s)`);
  for (const c of cycles) console.log(`  ${c.map((f) => relative('src', f)).join(' <-> ')}`);
  process.exitCode = violations.length + cycles.length > 0 ? 1 : 0;
}
