/**
 * The webgpu backend in a Chromium page: tfjs-backend-webgpu (registered when imported) on the adapter the
 * browser offers, reported by vendor, architecture and description, and whether it is a fallback (software)
 * adapter. Which adapter Chromium offers is the host's choice (browser-host.ts: the machine's GPU through
 * Vulkan/Metal/D3D12, or SwiftShader, a CPU implementation of Vulkan, when asked for or when there is no GPU).
 */
import '@tensorflow/tfjs-backend-webgpu';
import type { BackendLoader, LoadedBackend } from '../engine/index.ts';

/** The few WebGPU types used here (the node typings this code is checked with have no DOM). */
interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}
interface GpuAdapter {
  info?: GpuAdapterInfo;
  isFallbackAdapter?: boolean;
}
interface Gpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapter | null>;
}

/** tfjs-backend-webgpu's version: pinned in package.json to tfjs-core's, whose instance it registers with. */
const WEBGPU_PACKAGE = '@tensorflow/tfjs-backend-webgpu 4.22.0';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  /** A software adapter (SwiftShader, llvmpipe, WARP): real WebGPU, computed on the CPU. */
  software: boolean;
}

export async function describeAdapter(): Promise<AdapterReport> {
  const gpu = (globalThis.navigator as unknown as { gpu?: Gpu } | undefined)?.gpu;
  if (gpu === undefined) {
    throw new Error('this page has no WebGPU (navigator.gpu is missing): Chromium must run with --enable-unsafe-webgpu on a secure (localhost or app://) page');
  }
  // tfjs-backend-webgpu asks for the same adapter (high-performance) when the backend starts.
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) {
    throw new Error('the browser offers no WebGPU adapter (no usable GPU driver); set PDASH_WEBGPU_ADAPTER=swiftshader to run WebGPU on the CPU');
  }
  const info = adapter.info ?? {};
  const description = [info.description, info.device].filter((s) => s !== undefined && s !== '').join(' ') || 'no description';
  const fallback = info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
  return {
    vendor: info.vendor || 'unknown vendor',
    architecture: info.architecture || 'unknown architecture',
    description,
    software: fallback || /swiftshader|llvmpipe|software|warp|basic render/i.test(`${description} ${info.vendor ?? ''}`),
  };
}

export const webgpuLoader: BackendLoader = {
  name: 'webgpu',
  load: async (): Promise<LoadedBackend> => {
    const adapter = await describeAdapter();
    const kind = adapter.software ? 'software adapter, computed on the CPU' : 'hardware adapter';
    return {
      tfjsName: 'webgpu',
      threads: 1,
      simd: false,
      detail: `${WEBGPU_PACKAGE} on ${adapter.vendor} ${adapter.architecture} (${adapter.description}; ${kind})`,
    };
  },
};
