import { Method } from '../../../shared/contract/index.ts';
import { METHOD_LABELS } from '../../../shared/charts/index.ts';

/**
 * The search methods as the form explains them: titles are the charts' labels (one name per method in every view
 * and export), descriptions keyed by the contract's methods, so none is missed.
 */
const descriptions: Readonly<Record<Method, string>> = {
  dash: 'One search over every kernel × dilation pattern per layer, then HP search and retraining.',
  pdash: "DASH in rounds, pruning each layer's candidate patterns between rounds.",
  backbone: 'The backbone network with its own fixed kernels, no search: the baseline.',
  random: 'A random architecture from the same search space, retrained the same way.',
};

export const methodInfo: Readonly<Record<Method, { title: string; description: string }>> = Object.fromEntries(
  Method.options.map((method) => [method, { title: METHOD_LABELS[method], description: descriptions[method] }]),
) as Record<Method, { title: string; description: string }>;

/** The methods in the lab's order (the contract's). */
export const METHODS: readonly Method[] = Method.options;
