import { Monitor } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/monitoring',
  name: 'monitoring',
  title: 'monitoring.title',
  group: 'operations',
  order: 40,
  roles: everyone,
  icon: Monitor,
  homeFor: ['engineer'],
  component: () => import('./MonitoringScreen.vue'),
};
