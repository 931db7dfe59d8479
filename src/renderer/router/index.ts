import type { Component } from 'vue';
import { createRouter, createWebHashHistory, type RouteRecordRaw, type Router, type RouterHistory } from 'vue-router';
import type { NavIconName } from '../components/NavIcon.vue';
import CompareView from '../modules/compare/routes/CompareView.vue';
import DatasetAddView from '../modules/datasets/routes/DatasetAddView.vue';
import DatasetsView from '../modules/datasets/routes/DatasetsView.vue';
import ExperimentsView from '../modules/experiments/routes/ExperimentsView.vue';
import NewExperimentView from '../modules/experiments/routes/NewExperimentView.vue';
import RunMonitorView from '../modules/monitor/routes/RunMonitorView.vue';
import SettingsView from '../modules/settings/routes/SettingsView.vue';

export interface NavigationEntry {
  name: string;
  path: string;
  title: string;
  icon: NavIconName;
  component: Component;
}

/** The sections of the nav rail, in order; each is one module's top-level route. */
export const navigation: readonly NavigationEntry[] = [
  { name: 'datasets', path: '/datasets', title: 'Datasets', icon: 'datasets', component: DatasetsView },
  { name: 'experiments', path: '/experiments', title: 'Experiments', icon: 'experiments', component: ExperimentsView },
  { name: 'compare', path: '/compare', title: 'Compare', icon: 'compare', component: CompareView },
  { name: 'settings', path: '/settings', title: 'Settings', icon: 'settings', component: SettingsView },
];

/**
 * Routes below a section (a dataset, the new-experiment form, a run's monitor): `meta.section` names the nav
 * entry that stays highlighted while they are open.
 */
const sectionRoutes: RouteRecordRaw[] = [
  { name: 'dataset-add', path: '/datasets/add', component: DatasetAddView, meta: { title: 'Add a dataset', section: 'datasets' } },
  { name: 'dataset', path: '/datasets/:id(\\d+)', component: DatasetsView, meta: { title: 'Datasets', section: 'datasets' } },
  { name: 'experiment-new', path: '/experiments/new', component: NewExperimentView, meta: { title: 'New experiment', section: 'experiments' } },
  { name: 'run', path: '/runs/:id(\\d+)', component: RunMonitorView, meta: { title: 'Run', section: 'experiments' } },
];

/**
 * Hash history: the same routes work when Electron loads the renderer from a file and when `pdash serve`
 * serves it, and the address keeps web mode's ?token= in front of the hash.
 */
export function createAppRouter(history: RouterHistory = createWebHashHistory()): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/', redirect: '/datasets' },
      ...navigation.map(({ name, path, title, component }) => ({ name, path, component, meta: { title, section: name } })),
      ...sectionRoutes,
      { path: '/:unknown(.*)*', redirect: '/datasets' },
    ],
  });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : undefined;
    document.title = title === undefined ? 'P-DASH Lab' : `${title} · P-DASH Lab`;
  });
  return router;
}
