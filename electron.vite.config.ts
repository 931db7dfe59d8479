import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/**
 * The engine page (src/worker/browser/engine.html) is built by the renderer build so that out/renderer holds it
 * beside the renderer, served the same way by both hosts. Vite names an html output by its path under the root
 * (src/renderer), and refuses one outside it; this plugin gives the page the name engine.html there, with its
 * script path made relative to that place. Its code stays in src/worker/browser (the renderer layer imports none
 * of it).
 */
const ENGINE_PAGE_SOURCE = resolve('src/worker/browser/engine.html');
const ENGINE_PAGE = resolve('src/renderer/engine.html');
const enginePage: Plugin = {
  name: 'pdash-engine-page',
  enforce: 'pre',
  resolveId: (source) => (resolve(source) === ENGINE_PAGE ? ENGINE_PAGE : null),
  load: (id) => (id === ENGINE_PAGE ? readFileSync(ENGINE_PAGE_SOURCE, 'utf8').replace('src="./engine-page.ts"', 'src="../worker/browser/engine-page.ts"') : null),
};

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rolldownOptions: { input: { index: resolve('src/main/electron/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() packages: bundle zod and the contract into it.
      externalizeDeps: false,
      // engine-bridge: the hidden engine window's preload (src/main/electron/window-engine-host.ts).
      rolldownOptions: { input: { index: resolve('src/preload/index.ts'), 'engine-bridge': resolve('src/preload/engine-bridge.ts') } },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [vue(), enginePage],
    build: {
      minify: true,
      outDir: resolve('out/renderer'),
      // engine.html: the engine page (src/worker/browser), hosted by a headless Chromium or a hidden window so the
      // engine computes with WebGPU; built beside the renderer so both hosts serve it the way they serve the renderer.
      rolldownOptions: { input: { index: resolve('src/renderer/index.html'), engine: ENGINE_PAGE } },
    },
  },
});
