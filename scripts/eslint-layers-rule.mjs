/**
 * ESLint rule `pdash/layers`: every relative import in src/ is resolved against the importing file and checked
 * against the layer table (scripts/layers.mjs): no import of a layer above or beside, no deep import past a
 * module's public entry. What package a layer may import (TF.js, Node built-ins, electron) is no-restricted-imports'
 * job in eslint.config.mjs.
 */
import { dirname, join, normalize, relative } from 'node:path';
import { importViolation } from './layers.mjs';

export const layersRule = {
  meta: { type: 'problem', docs: { description: 'imports follow the layers of docs/ARCHITECTURE.md' }, schema: [] },
  create(context) {
    const root = context.cwd;
    const from = relative(root, context.filename).split('\\').join('/');
    if (!from.startsWith('src/')) return {};
    const check = (node, source) => {
      if (source === null || source === undefined || typeof source.value !== 'string') return;
      const specifier = source.value.split('?')[0];
      if (!specifier.startsWith('.')) return;
      const to = normalize(join(dirname(from), specifier)).split('\\').join('/');
      const problem = importViolation(from, to);
      if (problem !== null) context.report({ node, message: problem });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : null),
    };
  },
};
