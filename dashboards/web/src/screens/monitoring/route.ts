import { Monitor } from '@element-plus/icons-vue';
import { everyone, type ScreenRoute } from '../../screen';

/** 实时监测 (the engineer's home) and, hidden from the menu, the page of one device. */
export const screens: ScreenRoute[] = [
  {
    path: '/monitoring',
    name: 'monitoring',
    title: 'monitoring.title',
    group: 'operations',
    order: 40,
    roles: everyone,
    icon: Monitor,
    homeFor: ['engineer'],
    component: () => import('./MonitoringScreen.vue'),
  },
  {
    path: '/monitoring/devices/:device',
    name: 'monitoring-device',
    title: 'monitoring.device.title',
    group: 'operations',
    order: 41,
    roles: everyone,
    hidden: true,
    component: () => import('./DeviceScreen.vue'),
  },
];
