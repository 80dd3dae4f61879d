export const messages = {
  'zh-CN': { title: '能耗总览' },
  en: { title: 'Energy overview' },
};
