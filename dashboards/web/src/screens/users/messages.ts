export const messages = {
  'zh-CN': { title: '用户与令牌' },
  en: { title: 'Users & tokens' },
};
