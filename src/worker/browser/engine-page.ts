/**
 * The engine page's entry (engine.html): the same worker protocol as the Node worker (message-loop.ts), served in a
 * Chromium page so that the engine can compute with WebGPU. Its hosts are src/main/core/runs/browser-host.ts
 * (headless Chromium through playwright-core) and src/main/electron/window-engine-host.ts (a hidden window).
 */
// tfjs-core's standard gradients and chained tensor methods, which its entry leaves out (bundled, so plain imports
// work here; the Node worker loads them through node-runtime.ts's loadCoreGradients).
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { serveWorker } from '../message-loop.ts';
import { bridgeHostLink, findBridge, httpHostLink, type HostLink } from './host-link.ts';
import { pageJobRuntime, probePageBackends, setupPageBackend } from './page-runtime.ts';

/** The page's window, typed here because the node typings this code is checked with have no DOM. */
const page = globalThis as unknown as { location: { href: string }; close(): void };
const bridge = findBridge();
// The browser host names its data server in the page URL (?data=<base with the page's token>); Electron's window
// answers data requests over the bridge.
const dataBase = new URL(page.location.href).searchParams.get('data');
const link: HostLink = dataBase !== null ? httpHostLink(bridge, dataBase) : bridge.request !== undefined ? bridgeHostLink({ ...bridge, request: bridge.request.bind(bridge) }) : (() => {
  throw new Error('The engine page was opened without a data source (?data=... or a bridge with request).');
})();

serveWorker(link, { pid: 0, probe: probePageBackends, runtime: pageJobRuntime(link), setupBackend: setupPageBackend, exit: () => page.close() });
