import { Bell } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/alarms',
  name: 'alarms',
  title: 'alarms.title',
  group: 'operations',
  order: 70,
  roles: everyone,
  icon: Bell,
  component: () => import('./AlarmsScreen.vue'),
};
