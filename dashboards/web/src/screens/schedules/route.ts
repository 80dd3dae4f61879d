import { Calendar } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/schedules',
  name: 'schedules',
  title: 'schedules.title',
  group: 'operations',
  order: 60,
  roles: everyone,
  icon: Calendar,
  component: () => import('./SchedulesScreen.vue'),
};
