import { Tickets } from '@element-plus/icons-vue';
import type { ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/audit',
  name: 'audit',
  title: 'audit.title',
  group: 'admin',
  order: 80,
  roles: ['admin', 'engineer', 'officer'],
  icon: Tickets,
  component: () => import('./AuditScreen.vue'),
};
