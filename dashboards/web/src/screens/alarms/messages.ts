export const messages = {
  'zh-CN': { title: '报警' },
  en: { title: 'Alarms' },
};
