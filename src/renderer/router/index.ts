import type { Component } from 'vue';
import { createRouter, createWebHashHistory, type Router, type RouterHistory } from 'vue-router';
import type { NavIconName } from '../components/NavIcon.vue';
import CompareView from '../modules/compare/routes/CompareView.vue';
import DatasetsView from '../modules/datasets/routes/DatasetsView.vue';
import ExperimentsView from '../modules/experiments/routes/ExperimentsView.vue';
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
 * Hash history: the same routes work when Electron loads the renderer from a file and when `pdash serve`
 * serves it, and the address keeps web mode's ?token= in front of the hash.
 */
export function createAppRouter(history: RouterHistory = createWebHashHistory()): Router {
  const router = createRouter({
    history,
    routes: [
      { path: '/', redirect: '/datasets' },
      ...navigation.map(({ name, path, title, component }) => ({ name, path, component, meta: { title } })),
      { path: '/:unknown(.*)*', redirect: '/datasets' },
    ],
  });
  router.afterEach((to) => {
    const title = typeof to.meta.title === 'string' ? to.meta.title : undefined;
    document.title = title === undefined ? 'P-DASH Lab' : `${title} · P-DASH Lab`;
  });
  return router;
}
