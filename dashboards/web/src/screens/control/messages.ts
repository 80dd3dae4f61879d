export const messages = {
  'zh-CN': { title: '设备控制' },
  en: { title: 'Equipment control' },
};
