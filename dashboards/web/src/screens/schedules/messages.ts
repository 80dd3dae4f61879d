export const messages = {
  'zh-CN': { title: '日程与日历' },
  en: { title: 'Schedules & calendar' },
};
