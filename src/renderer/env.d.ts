import type { PdashBridge } from './api/ipc-transport.ts';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in web mode. */
    pdash?: PdashBridge;
  }
}

export {};
