/**
 * One pipeline for every method: find an architecture (DASH, P-DASH, the backbone baseline or the random
 * baseline) -> HP search -> retrain -> test, resumable from any checkpoint the run wrote.
 *
 *   const result = await runMethod('pdash', resolveConfig('quick'), dataset, seed, { onEvent, saveCheckpoint, loadCheckpoint, signal });
 *
 * The run takes everything it needs as arguments (method, config, dataset, seed) and reports only through `hooks`:
 * events, checkpoints, and the returned result. Same seed + same backend + same checkpoint history = same numbers.
 */
import { searchableLayerCount, uniformSearchSpaces, type ArchitectureSource, type RunConfig, type KernelPattern, type RunStartEvent, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointTensor, type RunCheckpoint, type PipelineState } from '../../../shared/engine/index.ts';
import { Method } from '../../../shared/contract/index.ts';
import type { RunDataset } from '../data/dataset.ts';
import { announceArchitecture, backboneChoices, retrainSpec } from './architecture.ts';
import { searchDash } from './dash.ts';
import { runHpSearch } from './hp-search.ts';
import { initialPdashState, pdashPlan, searchPdash } from './pdash.ts';
import { initialRandomState, searchRandom } from './random-search.ts';
import { runRetrainAndTest, type RunResult } from './retrain.ts';
import { createRunContext, type RunContext, type RunHooks } from './run-context.ts';


export async function runMethod(method: Method, config: RunConfig, dataset: RunDataset, seed: number, hooks: RunHooks): Promise<RunResult> {
  if (!Method.options.includes(method)) throw new Error(`engine: unknown method ${String(method)}; choose one of ${Method.options.join(', ')}`);
  const ctx = createRunContext(method, config, dataset, seed, hooks);
  const checkpoint = (await hooks.loadCheckpoint?.()) ?? null;
  if (checkpoint !== null) checkResumable(checkpoint, ctx);
  let state: PipelineState = checkpoint?.state ?? initialState(ctx);
  let restore: CheckpointTensor[] | null = checkpoint?.tensors ?? null;
  ctx.emit({
    type: 'run-start',
    algorithm: method,
    seed,
    config,
    configHash: ctx.configHash,
    backbone: ctx.settings.backbone,
    samples: { train: ctx.train.size, validation: ctx.validation.size, test: ctx.test.size },
    resumedFrom: checkpoint === null ? null : resumePoint(checkpoint.state),
  });

  if (state.phase === 'search' || state.phase === 'select' || state.phase === 'random-search') {
    const found = await findArchitecture(ctx, state, restore);
    const spec = retrainSpec(ctx, found.choices);
    announceArchitecture(ctx, spec, found.source);
    state = { phase: 'hp-search', spec, trials: [], current: null };
    restore = null;
    await ctx.checkpoint(state, [], { phase: 'select', round: found.round, trial: null, epoch: found.epochs });
  } else if (checkpoint === null) {
    // The backbone baseline starts at HP search: its architecture is known before anything trains.
    announceArchitecture(ctx, state.spec, 'backbone');
  }

  if (state.phase === 'hp-search') {
    const outcome = await runHpSearch(ctx, state, restore);
    state = { phase: 'retrain', spec: state.spec, hp: outcome.hp, hpValidation: outcome.value, nextEpoch: 0, best: null };
    restore = null;
    await ctx.checkpoint(state, [], { phase: 'hp-search', round: null, trial: null, epoch: outcome.trials.length });
  }

  return runRetrainAndTest(ctx, state, restore);
}

/** DASH, as it always was: `runMethod('dash', ...)`. */
export function runDash(config: RunConfig, dataset: RunDataset, seed: number, hooks: RunHooks): Promise<RunResult> {
  return runMethod('dash', config, dataset, seed, hooks);
}

function initialState(ctx: RunContext): PipelineState {
  switch (ctx.algorithm) {
    case 'dash':
      return { phase: 'search', round: null, spaces: uniformSearchSpaces(ctx.settings.grid, searchableLayerCount(ctx.settings.backbone)), nextEpoch: 0 };
    case 'pdash':
      return initialPdashState(ctx);
    case 'random':
      return initialRandomState(ctx);
    case 'backbone':
      return { phase: 'hp-search', spec: retrainSpec(ctx, backboneChoices(ctx)), trials: [], current: null };
  }
}

interface FoundArchitecture {
  choices: KernelPattern[];
  source: ArchitectureSource;
  /** Where the selection checkpoint says the run stands: the last round (P-DASH) and its epochs. */
  round: number | null;
  epochs: number;
}

async function findArchitecture(ctx: RunContext, state: Extract<PipelineState, { phase: 'search' | 'select' | 'random-search' }>, restore: CheckpointTensor[] | null): Promise<FoundArchitecture> {
  const { config } = ctx;
  if (state.phase === 'random-search') {
    if (ctx.algorithm !== 'random') throw new Error(`resume: a random-baseline checkpoint cannot continue a ${ctx.algorithm} run`);
    return { choices: await searchRandom(ctx, state), source: 'random', round: null, epochs: config.random.epochsPerSample * state.count };
  }
  if (ctx.algorithm === 'pdash') {
    const plan = pdashPlan(ctx);
    return { choices: await searchPdash(ctx, state, restore), source: config.selection, round: plan.rounds, epochs: plan.roundEpochs };
  }
  if (ctx.algorithm === 'dash') return { choices: await searchDash(ctx, state, restore), source: config.selection, round: null, epochs: config.search.epochs };
  throw new Error(`resume: a search checkpoint cannot continue a ${ctx.algorithm} run`);
}

function checkResumable(checkpoint: RunCheckpoint, ctx: RunContext): void {
  if (checkpoint.format !== CHECKPOINT_FORMAT || checkpoint.version !== CHECKPOINT_VERSION) {
    throw new Error(`resume: not an engine checkpoint of version ${CHECKPOINT_VERSION}`);
  }
  if (checkpoint.seed !== ctx.seed) throw new Error(`resume: the checkpoint belongs to seed ${checkpoint.seed}, not ${ctx.seed}`);
  if (checkpoint.configHash !== ctx.configHash) {
    throw new Error('resume: the checkpoint was written by a run with a different configuration, method, task or dataset size; start a new run instead');
  }
}

function resumePoint(state: PipelineState): NonNullable<RunStartEvent['resumedFrom']> {
  switch (state.phase) {
    case 'search':
      return { phase: 'search', round: state.round, epoch: state.nextEpoch, trial: null };
    case 'select':
      return { phase: 'select', round: state.round, epoch: state.next, trial: null };
    case 'random-search':
      return { phase: 'search', round: null, epoch: 0, trial: state.done.length };
    case 'hp-search':
      return { phase: 'hp-search', round: null, epoch: state.current?.nextEpoch ?? 0, trial: state.current?.trial ?? state.trials.length };
    case 'retrain':
      return { phase: 'retrain', round: null, epoch: state.nextEpoch, trial: null };
  }
}
