/**
 * A run's configuration as the log keeps it (`runs.config`): the RunConfig the core resolved once when the
 * experiment was created (preset + overrides + search space + selection + P-DASH settings, validated), stored
 * as a fact, in the way MLflow records a run's params when it starts. The worker runs it, the monitor, compare
 * and the reports show it; none of them resolves a preset again, so a preset changed later never changes
 * what an existing run is or was.
 *
 * The task-dependent nulls (batch sizes, learning rates, milestones, backbone, base width, the default grid,
 * random samples) stay null here: they mean "DASH's reference for the task", which the engine derives in one
 * place (resolveSettings in src/worker/engine/search/run-context.ts) from this configuration and the stored,
 * content-addressed dataset, and which the run's config_hash covers. Filling them in at creation would also
 * change the fingerprint of the runs created before, whose checkpoints must still resume.
 */
import { completeConfig, resolveConfig, type Outcome, type RunConfig, type RunConfigOverrides } from '../../../shared/engine/index.ts';
import { Preset } from '../../../shared/contract/index.ts';

/** What runs created before the configuration was stored kept instead: the preset and the overrides. */
interface RequestedConfig {
  preset?: unknown;
  overrides?: unknown;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A stored RunConfig always has its phases; the older rows have `overrides` and no `search`. */
function isRequested(stored: Record<string, unknown>): boolean {
  return !isRecord(stored.search) && ('overrides' in stored || 'preset' in stored);
}

/** The configuration stored with a run (its `runs.config` JSON), or why this lab cannot read it. */
export function storedRunConfig(json: string): Outcome<RunConfig> {
  const stored: unknown = JSON.parse(json);
  if (!isRecord(stored)) return { ok: false, error: 'its stored configuration is not an object' };
  if (!isRequested(stored)) return { ok: true, value: completeConfig(stored as unknown as RunConfig) };
  // A run created by an older lab (before the resolved configuration was stored) kept its preset and overrides,
  // and its worker resolved them when it started. They are resolved once here, on read, with the same function
  // and nothing more (no task defaults), so that the run shows and resumes with the fingerprint its checkpoint has.
  const requested = stored as RequestedConfig;
  const preset = Preset.safeParse(requested.preset ?? 'quick');
  if (!preset.success) return { ok: false, error: `its preset ${JSON.stringify(requested.preset)} is not one of ${Preset.options.join(', ')}` };
  try {
    return { ok: true, value: resolveConfig(preset.data, (isRecord(requested.overrides) ? requested.overrides : {}) as RunConfigOverrides) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
