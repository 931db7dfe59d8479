/**
 * The random baseline's architecture stage. Architectures are drawn uniformly per layer from the same search space
 * with the run's seed (candidate i from its own stream, so draws never depend on how many are made). Each is
 * trained as a discrete network at the search width with the search's optimiser settings, batch size and share of
 * batches per epoch, for `random.epochsPerSample` epochs, and scored once on validation; the best (first of equals)
 * goes on to HP search, retraining and test like DASH's choice.
 *
 * Equal compute: unless `random.samples` fixes the count, candidates are drawn while their estimated FLOPs
 * (training at 3 forward passes per sample, plus the validation pass) fit into what DASH's search spends under the
 * same configuration (its supernet over the full space, search.epochs epochs); at least one is always trained.
 * The count is computed from the FLOP model before any training, so it is the same on every machine and backend.
 * Resumable after every candidate.
 */
import { gridPatterns, metricValue, searchableLayerCount, uniformSearchSpaces, type ArchitectureSpec, type KernelPattern, type RandomCandidateRecord, type RandomSearchState } from '../../../shared/engine/index.ts';
import { buildNetwork } from '../backbones/build.ts';
import { variablesWithRole } from '../backbones/network.ts';
import { evaluate, trainEpoch } from '../train/loop.ts';
import { searchShare, shareSteps } from '../data/batches.ts';
import { multiStepFactor } from '../train/schedule.ts';
import { SgdOptimizer } from '../train/sgd.ts';
import { specOf } from './architecture.ts';
import { evaluationFlops, networkFlops, searchEpochSamples, supernetFlops, trainingFlops } from './compute.ts';
import { epochInputs, evaluationInputs } from './loop-inputs.ts';
import type { RunContext } from './run-context.ts';

/** Candidate i's patterns: one uniform draw per layer from the full grid. */
export function drawArchitecture(ctx: RunContext, candidate: number): KernelPattern[] {
  const patterns = gridPatterns(ctx.settings.grid);
  const rng = ctx.stream(`random/draw${candidate}`);
  return Array.from({ length: searchableLayerCount(ctx.settings.backbone) }, () => ({ ...patterns[rng.int(patterns.length)]! }));
}

/** The network a candidate trains: its patterns at the search width. */
function candidateSpec(ctx: RunContext, layers: readonly KernelPattern[]): ArchitectureSpec {
  return specOf(ctx, layers, ctx.config.search.widthFactor);
}

/** Estimated FLOPs of training and validating candidate patterns `layers`. */
export function candidateFlops(ctx: RunContext, layers: readonly KernelPattern[]): number {
  const forward = networkFlops(ctx, candidateSpec(ctx, layers));
  return trainingFlops(forward, ctx.config.random.epochsPerSample * searchEpochSamples(ctx)) + evaluationFlops(forward, ctx.validation.size);
}

/** DASH's search compute under this configuration: the full-space supernet trained for search.epochs epochs. */
export function dashSearchFlops(ctx: RunContext): number {
  const spaces = uniformSearchSpaces(ctx.settings.grid, searchableLayerCount(ctx.settings.backbone));
  return trainingFlops(supernetFlops(ctx, spaces), ctx.config.search.epochs * searchEpochSamples(ctx));
}

/** How many candidates the run trains: `random.samples`, or as many as DASH's search budget pays for (>= 1). */
export function randomCandidateCount(ctx: RunContext): number {
  if (ctx.config.random.samples !== null) return ctx.config.random.samples;
  const budget = dashSearchFlops(ctx);
  let spent = candidateFlops(ctx, drawArchitecture(ctx, 0));
  let count = 1;
  for (;;) {
    const next = candidateFlops(ctx, drawArchitecture(ctx, count));
    if (spent + next > budget) return count;
    spent += next;
    count++;
  }
}

export function initialRandomState(ctx: RunContext): RandomSearchState {
  return { phase: 'random-search', count: randomCandidateCount(ctx), done: [] };
}

export async function searchRandom(ctx: RunContext, state: RandomSearchState): Promise<KernelPattern[]> {
  const { config, settings } = ctx;
  const epochs = config.random.epochsPerSample;
  const steps = shareSteps(ctx.train.size, settings.searchBatchSize, searchShare(config.search));
  ctx.emit({ type: 'phase-start', phase: 'search', round: null, epochs: epochs * state.count, stepsPerEpoch: steps, totalSteps: steps * epochs * state.count });
  const phaseStart = performance.now();
  const done = state.done.map((c) => ({ ...c, layers: c.layers.map((p) => ({ ...p })) }));
  let stepsTaken = 0;
  let flops = 0;
  for (let i = done.length; i < state.count; i++) {
    ctx.throwIfAborted();
    const started = performance.now();
    const layers = drawArchitecture(ctx, i);
    const trained = await trainCandidate(ctx, i, layers);
    stepsTaken += trained.steps;
    flops += trained.record.flops;
    done.push(trained.record);
    ctx.emit({
      type: 'random-candidate',
      candidate: i,
      candidates: state.count,
      layers,
      validation: trained.record.value === null ? null : metricValue(ctx.metric, trained.record.value),
      diverged: trained.record.value === null,
      flops: trained.record.flops,
      wallMs: performance.now() - started,
    });
    // Between candidates a checkpoint holds no tensors, so it is written after every one unless checkpoints are off.
    if (config.checkpointEvery > 0) await ctx.checkpoint({ phase: 'random-search', count: state.count, done }, [], { phase: 'search', round: null, trial: i, epoch: epochs });
  }
  ctx.emit({ type: 'phase-end', phase: 'search', round: null, steps: stepsTaken, wallMs: performance.now() - phaseStart, flops });
  return bestCandidate(done).layers.map((p) => ({ ...p }));
}

/** The candidate of lowest validation metric, the first of equals; diverged ones never win. */
export function bestCandidate(done: readonly RandomCandidateRecord[]): RandomCandidateRecord {
  let best: RandomCandidateRecord | null = null;
  for (const c of done) if (c.value !== null && (best === null || best.value === null || c.value < best.value)) best = c;
  if (best === null) throw new Error('random baseline: every candidate diverged in training; lower search.lrWeights');
  return best;
}

async function trainCandidate(ctx: RunContext, index: number, layers: KernelPattern[]): Promise<{ record: RandomCandidateRecord; steps: number }> {
  const { config, settings } = ctx;
  const s = config.search;
  const epochs = config.random.epochsPerSample;
  const spec = candidateSpec(ctx, layers);
  const forward = networkFlops(ctx, spec);
  const net = buildNetwork(spec, ctx.stream(`random/c${index}/init`));
  const weights = variablesWithRole(net, 'weight');
  const optimizer = new SgdOptimizer([{ lr: settings.lrWeights, parameters: weights }], { momentum: s.momentum, weightDecay: s.weightDecay, nesterov: s.momentum > 0 });
  let steps = 0;
  let flops = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      ctx.throwIfAborted();
      const started = performance.now();
      const lrFactor = multiStepFactor(epoch, settings.searchMilestones, s.gamma);
      const outcome = await trainEpoch({
        ...epochInputs(ctx, `random/c${index}/epoch${epoch}`),
        net,
        optimizer,
        trainable: weights,
        batchSize: settings.searchBatchSize,
        share: searchShare(s),
        lrFactor,
        dropout: 0,
        clipNorm: s.clipNorm,
        alphaGradient: null,
      });
      steps += outcome.steps;
      flops += trainingFlops(forward, outcome.samples);
      if (outcome.diverged) break;
      let validation = null;
      if (epoch === epochs - 1) {
        const value = await evaluate({ ...evaluationInputs(ctx, net, `random/c${index}/eval`), reader: ctx.validation });
        flops += evaluationFlops(forward, ctx.validation.size);
        validation = value;
      }
      ctx.emit({
        type: 'epoch',
        phase: 'search',
        round: null,
        trial: index,
        epoch,
        epochs,
        steps: outcome.steps,
        lr: settings.lrWeights * lrFactor,
        trainLoss: outcome.meanLoss,
        validation: validation === null ? null : metricValue(ctx.metric, validation),
        wallMs: performance.now() - started,
      });
      if (validation !== null) return { record: { layers, value: validation, flops }, steps };
    }
  } finally {
    optimizer.dispose();
    net.dispose();
  }
  return { record: { layers, value: null, flops }, steps };
}
