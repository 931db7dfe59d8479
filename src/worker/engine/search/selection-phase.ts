/**
 * The select phase: from a searched supernet to one pattern per layer (DASH, and P-DASH's last round), or to the
 * survivors of a P-DASH round. Candidates rank by softmax(alpha) (argmax) or by the damage of removing them
 * (perturbation, DARTS-PT); every selection is announced as a `round` event.
 */
import { patternLabel, type CheckpointTensor, type KernelPattern, type LayerDecision, type LayerSearchSpaces, type RoundLayer, type SelectState } from '../../../shared/engine/index.ts';
import type { Network } from '../backbones/network.ts';
import { snapshotVariables } from './checkpoint-tensors.ts';
import { evaluationFlops, supernetFlops } from './compute.ts';
import { fineTuneSteps, initialSelectState, rankByDamage, scoreCandidates, selectByPerturbation } from './perturbation.ts';
import { rankCandidates, roundLayer, survivors } from './prune.ts';
import type { RunContext } from './run-context.ts';
import { alphaSnapshot } from './select.ts';

export interface SelectionInput {
  round: number | null;
  /** Rounds of the run (1 for DASH). */
  rounds: number;
  spaces: LayerSearchSpaces;
  /** A perturbation-based selection to continue (resuming), or null to start one. */
  resume: SelectState | null;
}

/** One pattern per layer; takes over `net` and disposes it. */
export async function selectFinal(ctx: RunContext, net: Network, input: SelectionInput): Promise<KernelPattern[]> {
  const method = ctx.config.selection;
  let handedOver = false;
  try {
    ctx.throwIfAborted();
    const tuneSteps = method === 'perturbation' ? fineTuneSteps(ctx, input.spaces.length - (input.resume?.next ?? 0)) : 0;
    ctx.emit({ type: 'phase-start', phase: 'select', round: input.round, epochs: 0, stepsPerEpoch: 0, totalSteps: tuneSteps });
    const started = performance.now();
    let result: { choices: KernelPattern[]; layers: RoundLayer[]; steps: number; flops: number };
    if (method === 'argmax') {
      const ranked = await rankBySoftmax(net);
      result = { choices: ranked.map((l) => survivors(l.patterns, l.ranking, 1)[0]!), layers: ranked.map((l) => roundLayer(l.layer, l.name, l.patterns, l.scores, l.ranking, 1)), steps: 0, flops: 0 };
    } else {
      const names = net.searchableLayers.map((l) => l.name);
      handedOver = true; // selectByPerturbation disposes it (and every supernet it rebuilds)
      const selection = await selectByPerturbation(ctx, net, input.resume ?? initialSelectState(ctx, input.round, input.spaces));
      result = { choices: selection.choices, layers: decisionLayers(selection.decisions, names), steps: selection.steps, flops: selection.flops };
    }
    ctx.emit({ type: 'round', round: input.round, rounds: input.rounds, selection: method, layers: result.layers });
    ctx.emit({ type: 'phase-end', phase: 'select', round: input.round, steps: result.steps, wallMs: performance.now() - started, flops: result.flops });
    return result.choices;
  } finally {
    if (!handedOver) net.dispose();
  }
}

export interface PrunedRound {
  spaces: LayerSearchSpaces;
  /** The surviving weights (and every non-search variable) of `net`, named without a prefix; no alphas. */
  carry: CheckpointTensor[];
}

/** P-DASH after round `round`: keep the best `keep` candidates of every layer. Does not dispose `net`. */
export async function pruneRound(ctx: RunContext, net: Network, round: number, rounds: number, keep: number): Promise<PrunedRound> {
  ctx.throwIfAborted();
  const method = ctx.config.selection;
  ctx.emit({ type: 'phase-start', phase: 'select', round, epochs: 0, stepsPerEpoch: 0, totalSteps: 0 });
  const started = performance.now();
  const patterns = net.searchableLayers.map((l) => l.patterns);
  let layers: RoundLayer[];
  let flops = 0;
  if (method === 'argmax') {
    layers = (await rankBySoftmax(net)).map((l) => roundLayer(l.layer, l.name, l.patterns, l.scores, l.ranking, keep));
  } else {
    const scoring = await scoreCandidates(ctx, net, `prune/r${round}`);
    flops = evaluationFlops(supernetFlops(ctx, patterns), scoring.evaluations * ctx.validation.size);
    layers = scoring.layers.map((s) => {
      const info = net.searchableLayers[s.layer]!;
      return roundLayer(s.layer, info.name, info.patterns, s.damage.map((d) => d ?? Number.NaN), rankByDamage(s), keep);
    });
  }
  const spaces = layers.map((l) => l.kept);
  ctx.emit({ type: 'round', round, rounds, selection: method, layers });
  ctx.emit({ type: 'phase-end', phase: 'select', round, steps: 0, wallMs: performance.now() - started, flops });
  return { spaces, carry: await survivingVariables(net, spaces) };
}

async function rankBySoftmax(net: Network): Promise<{ layer: number; name: string; patterns: KernelPattern[]; scores: number[]; ranking: number[] }[]> {
  return (await alphaSnapshot(net)).map((l) => ({ layer: l.layer, name: l.name, patterns: l.patterns, scores: l.softmax, ranking: rankCandidates(l.softmax) }));
}

/** Round-event layers of a perturbation-based selection, in layer order. */
function decisionLayers(decisions: readonly LayerDecision[], names: readonly string[]): RoundLayer[] {
  return [...decisions]
    .sort((a, b) => a.layer - b.layer)
    .map((d) => {
      const patterns = d.scores.map((s) => ({ kernel: s.kernel, dilation: s.dilation }));
      const ranking = rankByDamage({ layer: d.layer, damage: d.scores.map((s) => s.damage), lossDamage: d.scores.map((s) => s.lossDamage) });
      // The chosen candidate leads the ranking by construction; checked so the event can never contradict the spec.
      if (ranking[0] !== d.chosen) throw new Error(`perturbation selection: layer ${d.layer}'s ranking disagrees with its choice`);
      return roundLayer(d.layer, names[d.layer]!, patterns, d.scores.map((s) => s.damage ?? Number.NaN), ranking, 1);
    });
}

/** Values of every variable of `net` except alphas and the weights of pruned candidates. */
async function survivingVariables(net: Network, spaces: LayerSearchSpaces): Promise<CheckpointTensor[]> {
  const pruned = new Set<string>();
  net.searchableLayers.forEach((info, l) => {
    const kept = new Set(spaces[l]!.map(patternLabel));
    for (const p of info.patterns) if (!kept.has(patternLabel(p))) pruned.add(`${info.name}.w.${patternLabel(p)}`);
  });
  return (
    await snapshotVariables(
      net.variables.filter((v) => v.role !== 'alpha' && !pruned.has(v.name)),
      'carry',
    )
  ).map((t) => ({ ...t, name: t.name.slice('carry/'.length) }));
}
