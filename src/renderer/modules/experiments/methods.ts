import type { Method } from '../../../shared/contract/index.ts';

/** The search methods as the lab names and explains them; keyed by the contract's methods, so none is missed. */
export const methodInfo: Readonly<Record<Method, { title: string; description: string }>> = {
  dash: { title: 'DASH', description: 'One search over every kernel × dilation pattern per layer, then HP search and retraining.' },
  pdash: { title: 'P-DASH', description: "DASH in rounds, pruning each layer's candidate patterns between rounds." },
  backbone: { title: 'Backbone', description: 'The backbone network with its own fixed kernels, no search: the baseline.' },
  random: { title: 'Random', description: 'A random architecture from the same search space, retrained the same way.' },
};

export const METHODS = Object.keys(methodInfo) as Method[];

export function methodTitle(method: string): string {
  return (methodInfo as Record<string, { title: string }>)[method]?.title ?? method;
}
