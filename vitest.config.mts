import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vitest/config';

/** electron-vite turns `x.ts?modulePath` into the bundled file's path; under test it is the source file's path. */
const modulePathImports: Plugin = {
  name: 'pdash-module-path',
  enforce: 'pre',
  async resolveId(source, importer) {
    if (!source.endsWith('?modulePath')) return null;
    const resolved = await this.resolve(source.slice(0, -'?modulePath'.length), importer, { skipSelf: true });
    return resolved ? `\0module-path:${resolved.id}` : null;
  },
  load(id) {
    return id.startsWith('\0module-path:') ? `export default ${JSON.stringify(id.slice('\0module-path:'.length))};` : null;
  },
};

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [modulePathImports],
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          exclude: ['test/unit/renderer/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/unit/renderer/**/*.test.ts'],
        },
      },
    ],
  },
});
