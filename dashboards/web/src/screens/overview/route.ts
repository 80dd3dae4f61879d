import { DataAnalysis } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/overview',
  name: 'overview',
  title: 'overview.title',
  group: 'energy',
  order: 10,
  roles: everyone,
  icon: DataAnalysis,
  homeFor: ['officer', 'viewer', 'admin'],
  component: () => import('./OverviewScreen.vue'),
};
