/**
 * The DASH pipeline: search -> select -> HP search -> retrain -> test, resumable from any checkpoint it wrote.
 *
 *   const result = await runDash(resolveConfig('quick'), dataset, seed, { onEvent, saveCheckpoint, loadCheckpoint, signal });
 *
 * The run takes everything it needs as arguments (config, dataset, seed) and reports only through `hooks`:
 * events, checkpoints, and the returned result. Same seed + same backend + same checkpoint history = same numbers.
 */
import { architectureCost } from '../arch/cost.ts';
import { uniformSearchSpaces } from '../arch/search-space.ts';
import type { ArchitectureSpec } from '../arch/spec.ts';
import { archId, searchableLayerCount } from '../arch/spec.ts';
import type { DashDataset } from '../data/dataset.ts';
import type { DashCheckpoint, PipelineState } from './checkpoint.ts';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.ts';
import type { DashConfig } from './config.ts';
import { runHpSearch } from './hp-search.ts';
import type { DashResult } from './retrain.ts';
import { runRetrainAndTest } from './retrain.ts';
import type { RunContext, RunHooks } from './run-context.ts';
import { createRunContext } from './run-context.ts';
import { selectArgmax, specFromChoices } from './select.ts';
import { runSearchPhase } from './supernet-search.ts';

export type DashHooks = RunHooks;
export type { DashResult };

export async function runDash(config: DashConfig, dataset: DashDataset, seed: number, hooks: DashHooks): Promise<DashResult> {
  const ctx = createRunContext('dash', config, dataset, seed, hooks);
  const checkpoint = (await hooks.loadCheckpoint?.()) ?? null;
  if (checkpoint !== null) checkResumable(checkpoint, ctx);
  let state: PipelineState = checkpoint?.state ?? {
    phase: 'search',
    round: null,
    spaces: uniformSearchSpaces(ctx.settings.grid, searchableLayerCount(ctx.settings.backbone)),
    nextEpoch: 0,
  };
  let restore = checkpoint?.tensors ?? null;
  ctx.emit({
    type: 'run-start',
    algorithm: 'dash',
    seed,
    config,
    configHash: ctx.configHash,
    backbone: ctx.settings.backbone,
    samples: { train: ctx.train.size, validation: ctx.validation.size, test: ctx.test.size },
    resumedFrom: checkpoint === null ? null : resumePoint(checkpoint.state),
  });

  if (state.phase === 'search') {
    const supernet = await runSearchPhase(ctx, { round: null, spaces: state.spaces, epochs: config.search.epochs, startEpoch: state.nextEpoch, restore });
    let spec: ArchitectureSpec;
    try {
      ctx.throwIfAborted();
      ctx.emit({ type: 'phase-start', phase: 'select', round: null, epochs: 0, stepsPerEpoch: 0, totalSteps: 0 });
      const started = performance.now();
      spec = retrainSpec(ctx, selectArgmax(supernet));
      ctx.emit({ type: 'phase-end', phase: 'select', round: null, steps: 0, wallMs: performance.now() - started });
    } finally {
      supernet.dispose();
    }
    announceArchitecture(ctx, spec, 'argmax');
    state = { phase: 'hp-search', spec, trials: [], current: null };
    restore = null;
    await ctx.checkpoint(state, [], { phase: 'select', round: null, trial: null, epoch: config.search.epochs });
  }

  if (state.phase === 'hp-search') {
    const outcome = await runHpSearch(ctx, state, restore);
    state = { phase: 'retrain', spec: state.spec, hp: outcome.hp, hpValidation: outcome.value, nextEpoch: 0, best: null };
    restore = null;
    await ctx.checkpoint(state, [], { phase: 'hp-search', round: null, trial: null, epoch: outcome.trials.length });
  }

  return runRetrainAndTest(ctx, state, restore);
}

/** The spec DASH retrains: the chosen patterns on the retrain-width backbone; 1-D convs become causal. */
export function retrainSpec(ctx: RunContext, choices: Parameters<typeof specFromChoices>[0]): ArchitectureSpec {
  const { settings, task, config } = ctx;
  const base: Omit<ArchitectureSpec, 'layers'> =
    settings.backbone === 'resnet1d'
      ? { backbone: 'resnet1d', rank: 1, inChannels: task.inputShape.at(-1)!, outputs: settings.outputs, baseChannels: settings.baseChannels, padding: 'causal' }
      : { backbone: settings.backbone, rank: 2, inChannels: task.inputShape.at(-1)!, outputs: settings.outputs, widthFactor: config.retrain.widthFactor, padding: 'same' };
  return specFromChoices(choices, base);
}

export function announceArchitecture(ctx: RunContext, spec: ArchitectureSpec, selection: 'argmax' | 'perturbation'): void {
  const cost = architectureCost(spec, ctx.task.inputShape.slice(0, -1));
  ctx.emit({ type: 'architecture', selection, spec, archId: archId(spec), parameters: cost.parameters, flops: cost.flops });
}

function checkResumable(checkpoint: DashCheckpoint, ctx: RunContext): void {
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.version !== CHECKPOINT_VERSION) {
    throw new Error(`resume: not an engine checkpoint of version ${CHECKPOINT_VERSION}`);
  }
  if (checkpoint.seed !== ctx.seed) throw new Error(`resume: the checkpoint belongs to seed ${checkpoint.seed}, not ${ctx.seed}`);
  if (checkpoint.configHash !== ctx.configHash) {
    throw new Error('resume: the checkpoint was written by a run with a different configuration, task or dataset size; start a new run instead');
  }
}

function resumePoint(state: PipelineState): { phase: 'search' | 'hp-search' | 'retrain'; epoch: number; trial: number | null } {
  switch (state.phase) {
    case 'search':
      return { phase: 'search', epoch: state.nextEpoch, trial: null };
    case 'hp-search':
      return { phase: 'hp-search', epoch: state.current?.nextEpoch ?? 0, trial: state.current?.trial ?? state.trials.length };
    case 'retrain':
      return { phase: 'retrain', epoch: state.nextEpoch, trial: null };
  }
}
