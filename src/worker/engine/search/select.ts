/**
 * Architecture selection from a searched supernet, and alpha snapshots for events.
 * DASH selects per layer the pattern with the largest softmax(alpha) (= argmax alpha), noise-free.
 */
import type { ArchitectureSpec, KernelPattern, LayerAlphaSnapshot } from '../../../shared/engine/index.ts';
import type { Network } from '../backbones/network.ts';

export function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((v) => Math.exp(v - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/** alpha and softmax(alpha) of every searchable layer of a supernet. */
export async function alphaSnapshot(net: Network): Promise<LayerAlphaSnapshot[]> {
  return Promise.all(net.searchableLayers.map(async (l) => {
    if (l.alpha === null) throw new Error(`alphaSnapshot: layer ${l.layer} of a ${net.kind} network has no alpha`);
    const alpha = Array.from(await l.alpha.data());
    return { layer: l.layer, name: l.name, patterns: l.patterns.map((p) => ({ ...p })), alpha, softmax: softmax(alpha) };
  }));
}

/** Per layer, the pattern of largest alpha (the first on ties). */
export async function selectArgmax(net: Network): Promise<KernelPattern[]> {
  return (await alphaSnapshot(net)).map((l) => {
    let best = 0;
    l.alpha.forEach((a, i) => {
      if (a > l.alpha[best]!) best = i;
    });
    return { ...l.patterns[best]! };
  });
}

/** The spec of the chosen patterns on a backbone (width and padding of the network to be trained). */
export function specFromChoices(
  choices: readonly KernelPattern[],
  base: Omit<ArchitectureSpec, 'layers'>,
): ArchitectureSpec {
  return { ...base, layers: choices.map((p, layer) => ({ layer, kernel: p.kernel, dilation: p.dilation })) };
}
