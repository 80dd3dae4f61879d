import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import AppLayout from './layout/AppLayout.vue';
import NotFound from './layout/NotFound.vue';
import type { ScreenRoute } from './screen';
import { type Role, refreshSession, session } from './session';

const modules = import.meta.glob<{ screen?: ScreenRoute; screens?: ScreenRoute[] }>('./screens/*/route.ts', {
  eager: true,
});

/** Every screen of the console, in menu order. */
export const screens: ScreenRoute[] = Object.values(modules)
  .flatMap((m) => [...(m.screen ? [m.screen] : []), ...(m.screens ?? [])])
  .sort((a, b) => a.order - b.order);

/** The start page of a role: the screen that names it in `homeFor`, else the first it may see. */
export function homeOf(role: Role | undefined): string {
  if (!role) return '/login';
  const home = screens.find((s) => s.homeFor?.includes(role)) ?? screens.find((s) => s.roles.includes(role));
  return home?.path ?? '/login';
}

const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('./layout/LoginPage.vue'),
    meta: { public: true },
  },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'home', redirect: () => homeOf(session.role) },
      ...screens.map(
        (s): RouteRecordRaw => ({
          path: s.path.replace(/^\//, ''),
          name: s.name,
          component: s.component,
          meta: { title: s.title, roles: s.roles },
        }),
      ),
      { path: ':rest(.*)*', name: 'not-found', component: NotFound },
    ],
  },
];

export const router = createRouter({ history: createWebHistory('/'), routes });

router.beforeEach(async (to) => {
  if (!session.checked) await refreshSession().catch(() => undefined);
  if (to.meta.public) return session.user && to.name === 'login' ? homeOf(session.role) : true;
  if (!session.user) return { name: 'login', query: to.fullPath === '/' ? {} : { next: to.fullPath } };
  const allowed = to.meta.roles as readonly Role[] | undefined;
  if (allowed && session.role && !allowed.includes(session.role)) return homeOf(session.role);
  return true;
});
