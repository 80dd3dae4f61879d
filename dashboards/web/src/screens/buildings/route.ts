import { OfficeBuilding } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

export const screen: ScreenRoute = {
  path: '/buildings',
  name: 'buildings',
  title: 'buildings.title',
  group: 'energy',
  order: 20,
  roles: everyone,
  icon: OfficeBuilding,
  component: () => import('./BuildingsScreen.vue'),
};
