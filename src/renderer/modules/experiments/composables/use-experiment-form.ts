/**
 * The new-experiment form's state and its rules in motion (NewExperimentView.vue is its template): the datasets to
 * choose from, the fields as typed, the checks shown as the user types or after a first submit, the search grid
 * and P-DASH's rounds following the preset until edited, the estimate with the measured times of earlier runs, and
 * starting the experiment. The rules themselves are pure functions (experiment-form.ts, pdash-plan.ts).
 */
import { computed, onMounted, reactive, ref, shallowRef, watch } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import type { BackendName, DatasetSummary, Method, Preset } from '../../../../shared/contract/index.ts';
import { planPdash, PRESETS, type SearchSpaceGrid } from '../../../../shared/engine/index.ts';
import { LabError } from '../../../../shared/errors.ts';
import { useLabAction } from '../../../composables/use-lab-action.ts';
import { useDatasetsStore } from '../../../stores/datasets.ts';
import { useExperimentsStore } from '../../../stores/experiments.ts';
import { runPdashPlan } from '../../monitor/run-plan.ts';
import {
  budgetFieldsOf,
  buildExperimentRequest,
  estimateCost,
  parseBudget,
  parseConcurrency,
  parseSeeds,
  presetGrid,
  sameGrid,
  type BudgetField,
  type FormErrors,
  type MeasuredRun,
} from '../experiment-form.ts';
import { parsePdash, pdashFieldsOf, type PdashField } from '../pdash-plan.ts';

/** Everything the template binds; its type is inferred, as this is one view's own composable. */
export function useExperimentForm() {
  const datasets = useDatasetsStore();
  const experiments = useExperimentsStore();
  const route = useRoute();
  const router = useRouter();

  // ---- the datasets to choose from ----
  const choices = ref<DatasetSummary[]>([]);
  const choicesLoading = ref(true);
  const choicesError = shallowRef<LabError | null>(null);

  async function loadChoices(): Promise<void> {
    choicesLoading.value = true;
    choicesError.value = null;
    try {
      choices.value = await datasets.loadChoices();
      const asked = typeof route.query.dataset === 'string' ? Number(route.query.dataset) : null;
      const preferred = choices.value.find((d) => d.id === asked) ?? choices.value.find((d) => d.kind !== 'regression') ?? choices.value[0];
      if (datasetId.value === null && preferred !== undefined) datasetId.value = preferred.id;
    } catch (failure) {
      choicesError.value = LabError.wrap(failure);
    } finally {
      choicesLoading.value = false;
    }
  }

  // ---- the form ----
  const name = ref('');
  const datasetId = ref<number | null>(null);
  const methods = ref<Method[]>(['dash']);
  const seedsText = ref('0,1,2');
  const preset = ref<Preset>('quick');
  const customBudget = ref(false);
  const budget = reactive(budgetFieldsOf('quick'));
  const selection = ref<'argmax' | 'perturbation'>('argmax');
  const concurrencyText = ref('');
  const backend = ref<'auto' | BackendName>('auto');
  const pdashFields = ref(pdashFieldsOf('quick'));

  const dataset = computed(() => choices.value.find((d) => d.id === datasetId.value) ?? null);
  const rank = computed((): 1 | 2 => dataset.value?.rank ?? 2);
  const currentPresetGrid = computed(() => presetGrid(preset.value, rank.value));
  const grid = ref<SearchSpaceGrid>(presetGrid('quick', 2));

  // The grid follows the preset and the dataset's rank until the user edits it.
  watch(currentPresetGrid, (next, previous) => {
    if (previous === undefined || sameGrid(grid.value, previous)) grid.value = { kernels: [...next.kernels], dilations: [...next.dilations] };
  });
  watch(preset, (next, previous) => {
    Object.assign(budget, budgetFieldsOf(next));
    // Rounds and keep fraction follow the preset until edited.
    const before = pdashFieldsOf(previous);
    const after = pdashFieldsOf(next);
    const fields = pdashFields.value;
    pdashFields.value = {
      ...fields,
      rounds: fields.rounds === before.rounds ? after.rounds : fields.rounds,
      keepFraction: fields.keepFraction === before.keepFraction ? after.keepFraction : fields.keepFraction,
    };
  });

  onMounted(() => {
    grid.value = { ...currentPresetGrid.value };
    void loadChoices();
    if (!experiments.loaded && !experiments.loading) void experiments.load(0);
  });

  // ---- live checks and the estimate ----
  const touched = reactive({ seeds: false, concurrency: false });
  const submitted = ref(false);
  const errors = ref<FormErrors>({});

  const seeds = computed(() => parseSeeds(seedsText.value));
  const seedsError = computed(() => ((touched.seeds || submitted.value) && !seeds.value.ok ? seeds.value.error : (errors.value.seeds ?? null)));
  const concurrency = computed(() => parseConcurrency(concurrencyText.value));
  const concurrencyError = computed(() => ((touched.concurrency || submitted.value) && !concurrency.value.ok ? concurrency.value.error : null));

  const parsedBudget = computed(() => (customBudget.value ? parseBudget(preset.value, budget) : null));
  const effectiveBudget = computed(() => parsedBudget.value?.budget ?? PRESETS[preset.value]);
  const budgetErrors = computed((): Partial<Record<BudgetField, string>> => parsedBudget.value?.errors ?? {});

  // ---- P-DASH's rounds ----
  const pdashChosen = computed(() => methods.value.includes('pdash'));
  const patterns = computed(() => grid.value.kernels.length * grid.value.dilations.length);
  const searchEpochs = computed(() => effectiveBudget.value.search.epochs);
  const searchBudget = computed(() => ({ epochs: effectiveBudget.value.search.epochs, warmupEpochs: effectiveBudget.value.search.warmupEpochs }));
  const parsedPdash = computed(() => parsePdash(pdashFields.value, { preset: preset.value, grid: grid.value, search: searchBudget.value }));
  // Shown as typed, like the budget's: each says how the plan below would go wrong.
  const pdashErrors = computed((): Partial<Record<PdashField, string>> => parsedPdash.value.errors);
  /** The schedule the preset's rounds make on this grid: offered when switching to a schedule, followed until edited. */
  const suggestedSchedule = computed(() => {
    const planned = planPdash(patterns.value, PRESETS[preset.value].pdash, searchBudget.value);
    return planned.ok ? planned.value.sizes.join(',') : `${patterns.value},1`;
  });
  watch(suggestedSchedule, (next, previous) => {
    if (pdashFields.value.schedule === previous) pdashFields.value = { ...pdashFields.value, schedule: next };
  });

  const estimate = computed(() =>
    estimateCost({
      methods: methods.value,
      seeds: seeds.value.ok ? seeds.value.value.length : 0,
      budget: effectiveBudget.value,
      grid: grid.value,
      concurrency: concurrency.value.ok ? (concurrency.value.value ?? 1) : 1,
      pdash: parsedPdash.value.plan,
    }),
  );

  /**
   * Per method, the newest finished run in the loaded experiments with this dataset, preset, selection and no custom
   * settings (for P-DASH, the same rounds).
   */
  const measured = computed((): Partial<Record<Method, MeasuredRun>> => {
    if (customBudget.value || !sameGrid(grid.value, currentPresetGrid.value)) return {};
    const found: Partial<Record<Method, MeasuredRun>> = {};
    const plan = parsedPdash.value.plan;
    /** Whether a P-DASH run of this experiment searched the rounds the form plans now (as stored with its runs). */
    const samePlan = (config: Record<string, unknown> | null): boolean => {
      const theirs = runPdashPlan(config, patterns.value);
      return plan !== null && theirs !== null && theirs.roundEpochs === plan.roundEpochs && theirs.sizes.join() === plan.sizes.join();
    };
    for (const experiment of experiments.items) {
      if (experiment.dataset.id !== datasetId.value || experiment.preset !== preset.value) continue;
      const settings = experiment.settings as { overrides?: Record<string, unknown>; kernels?: unknown; selection?: unknown; pdash?: unknown };
      if ((settings.overrides !== undefined && Object.keys(settings.overrides).length > 0) || settings.kernels !== undefined) continue;
      if ((settings.selection ?? 'argmax') !== selection.value) continue;
      for (const run of experiment.runs) {
        if (run.status !== 'done' || (run.seconds.total ?? 0) <= 0 || (found[run.method]?.runId ?? 0) > run.id) continue;
        if (run.method === 'pdash' && !samePlan(experiment.config)) continue;
        found[run.method] = { runId: run.id, seconds: run.seconds.total ?? 0 };
      }
    }
    return found;
  });

  // ---- start ----
  const { pending: starting, failure, run } = useLabAction();

  // The lab's answer was about the form as it was: once the form changes, it no longer applies.
  watch([name, datasetId, methods, seedsText, preset, customBudget, budget, grid, selection, pdashFields, concurrencyText, backend], () => {
    if (!starting.value) failure.value = null;
  }, { deep: true });

  async function start(): Promise<void> {
    submitted.value = true;
    failure.value = null;
    const built = buildExperimentRequest({
      name: name.value,
      datasetId: datasetId.value,
      methods: methods.value,
      seedsText: seedsText.value,
      preset: preset.value,
      customBudget: customBudget.value,
      budget: { ...budget },
      grid: grid.value,
      presetGrid: currentPresetGrid.value,
      selection: selection.value,
      pdash: pdashFields.value,
      concurrencyText: concurrencyText.value,
      backend: backend.value,
    });
    if (!built.ok) {
      errors.value = built.errors;
      return;
    }
    errors.value = {};
    await run(async () => {
      const created = await experiments.create(built.request);
      await router.push({ path: '/experiments', query: { created: String(created.id) } });
    });
  }

  return {
    choices,
    choicesLoading,
    choicesError,
    loadChoices,
    name,
    datasetId,
    methods,
    seedsText,
    preset,
    customBudget,
    budget,
    selection,
    concurrencyText,
    backend,
    pdashFields,
    dataset,
    currentPresetGrid,
    grid,
    touched,
    errors,
    seedsError,
    concurrency,
    concurrencyError,
    budgetErrors,
    pdashChosen,
    patterns,
    searchEpochs,
    searchBudget,
    parsedPdash,
    pdashErrors,
    suggestedSchedule,
    estimate,
    effectiveBudget,
    measured,
    starting,
    failure,
    start,
  };
}
