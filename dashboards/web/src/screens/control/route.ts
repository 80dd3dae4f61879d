import { Operation } from '@element-plus/icons-vue';
import type { ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/control',
  name: 'control',
  title: 'control.title',
  group: 'operations',
  order: 50,
  roles: ['admin', 'engineer', 'officer'],
  icon: Operation,
  component: () => import('./ControlScreen.vue'),
};
