export const messages = {
  'zh-CN': { title: '建筑与区域' },
  en: { title: 'Buildings & areas' },
};
