/** Types of scripts/structure.mjs (plain JavaScript, run as `node scripts/structure.mjs`). */
export type ImportGraph = Map<string, string[]>;
export declare function specifiersOf(text: string): string[];
export declare function importGraph(root?: string): ImportGraph;
export declare function layerViolations(graph: ImportGraph): Array<{ from: string; to: string; problem: string }>;
export declare function importCycles(graph: ImportGraph): string[][];
export declare function layerEdges(graph: ImportGraph): Map<string, number>;
export declare function mermaid(graph: ImportGraph): string;
