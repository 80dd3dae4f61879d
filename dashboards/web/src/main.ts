import 'element-plus/dist/index.css';
import './theme.css';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import updateLocale from 'dayjs/plugin/updateLocale';
import { createApp } from 'vue';
import App from './App.vue';
import { onSessionLost } from './api/client';
import { i18n } from './i18n';
import { router } from './router';
import { session, sessionLost } from './session';

// Weeks start on Monday in both languages (DESIGN §11): Element Plus's calendar reads dayjs' global
// locale (en: Sunday), its date pickers the page's (zh-cn: Monday).
dayjs.extend(updateLocale);
dayjs.updateLocale('en', { weekStart: 1 });

// The API said the session is gone (expired, ended elsewhere): back to the login page, saying why.
onSessionLost(() => {
  if (!session.user) return;
  sessionLost();
  const here = router.currentRoute.value;
  if (!here.meta.public) void router.push({ name: 'login', query: { next: here.fullPath, lost: '1' } });
});

createApp(App).use(i18n).use(router).mount('#app');
