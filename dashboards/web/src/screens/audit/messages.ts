export const messages = {
  'zh-CN': { title: '审计日志' },
  en: { title: 'Audit log' },
};
