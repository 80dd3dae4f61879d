export const messages = {
  'zh-CN': { title: '报表' },
  en: { title: 'Reports' },
};
