/**
 * Array I/O: readers for the array files a user brings (.npy, .npz, CSV/TSV, MAT v5 and v7.3, a restricted
 * unpickler), all as streaming ArraySources that trust no declared size, and the .npy writer the lab stores
 * splits with. No lab knowledge: the lab core (imports) and the worker (loading stored splits) both use it.
 * Import this file, never a module inside the folder.
 */
export * from './array-source.ts';
export * from './byte-runs.ts';
export * from './csv.ts';
export * from './dtype.ts';
export * from './mat.ts';
export * from './mat5.ts';
export * from './mat73.ts';
export * from './npy-writer.ts';
export * from './npy.ts';
export * from './npz.ts';
export * from './pickle.ts';
export * from './printable.ts';
export * from './slab.ts';
export * from './streams.ts';
export * from './zip.ts';
