import { Document } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/reports',
  name: 'reports',
  title: 'reports.title',
  group: 'energy',
  order: 30,
  roles: everyone,
  icon: Document,
  component: () => import('./ReportsScreen.vue'),
};
