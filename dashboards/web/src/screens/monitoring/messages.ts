export const messages = {
  'zh-CN': { title: '实时监测' },
  en: { title: 'Live monitoring' },
};
