import { User } from '@element-plus/icons-vue';
import type { ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/users',
  name: 'users',
  title: 'users.title',
  group: 'admin',
  order: 90,
  roles: ['admin'],
  icon: User,
  component: () => import('./UsersScreen.vue'),
};
