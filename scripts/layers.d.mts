/** Types of scripts/layers.mjs (plain JavaScript, so that eslint.config.mjs can load it). */
export interface Layer {
  name: string;
  level: number;
  paths: string[];
  entries: string[] | null;
  mayImport: string[];
  why: string;
}
export declare const layers: Layer[];
export declare function layerOf(path: string): Layer | null;
export declare function importViolation(from: string, to: string): string | null;
