import type { LabServices } from '../lab-services.ts';
import type { HandlersOf } from './types.ts';

type ExperimentChannel = 'experiments/create' | 'experiments/list' | 'experiments/show' | 'experiments/remove' | 'runs/show' | 'runs/cancel' | 'runs/pause' | 'runs/resume' | 'compare';

export function experimentHandlers(core: LabServices): HandlersOf<ExperimentChannel> {
  return {
    'experiments/create': (request) => core.runs.create(request),
    'experiments/list': ({ offset, limit }) => core.runs.experiments(offset, limit),
    'experiments/show': ({ experiment }) => core.runs.experiment(experiment),
    'experiments/remove': ({ experiment }) => core.runs.removeExperiment(experiment),
    'runs/show': ({ run }) => core.runs.runDetail(run),
    'runs/cancel': ({ run }) => core.runs.cancel(run),
    'runs/pause': ({ run }) => core.runs.pause(run),
    'runs/resume': ({ run }) => core.runs.resume(run),
    compare: (selection) => core.runs.compare(selection),
  };
}
