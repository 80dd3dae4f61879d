/**
 * Every visible string is a key of this catalogue: the common strings below, and each screen's own
 * (`screens/<screen>/messages.ts`, under the screen's name). zh-CN is the default; the choice is
 * kept in the browser (localStorage `jn.locale`) and sets `<html lang>`, Element Plus's locale and
 * ECharts' (which reads `<html lang>` for its built-in texts).
 */
import { computed, ref } from 'vue';
import { createI18n } from 'vue-i18n';
import { setApiLanguage } from './api/client';
import { common } from './messages';

export type Locale = 'zh-CN' | 'en';
export const locales: readonly Locale[] = ['zh-CN', 'en'];

type Tree = { [key: string]: string | Tree };
type ScreenMessages = { 'zh-CN': Tree; en: Tree };

const screenModules = import.meta.glob<{ messages: ScreenMessages }>('./screens/*/messages.ts', {
  eager: true,
});

function catalogue(locale: Locale): Tree {
  const tree: Tree = { ...common[locale] };
  for (const [path, mod] of Object.entries(screenModules)) {
    const screen = /screens\/([^/]+)\/messages\.ts$/.exec(path)?.[1];
    if (screen) tree[screen] = mod.messages[locale];
  }
  return tree;
}

function initialLocale(): Locale {
  const kept = globalThis.localStorage?.getItem('jn.locale');
  if (kept === 'en' || kept === 'zh-CN') return kept;
  return 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': catalogue('zh-CN'), en: catalogue('en') },
  // A key missing from the catalogue is a defect: say so in the console (tests watch for it).
  missingWarn: true,
  fallbackWarn: false,
  numberFormats: {
    'zh-CN': {
      decimal: { style: 'decimal', maximumFractionDigits: 2 },
      integer: { style: 'decimal', maximumFractionDigits: 0 },
      percent: { style: 'percent', maximumFractionDigits: 1 },
    },
    en: {
      decimal: { style: 'decimal', maximumFractionDigits: 2 },
      integer: { style: 'decimal', maximumFractionDigits: 0 },
      percent: { style: 'percent', maximumFractionDigits: 1 },
    },
  },
});

const current = ref<Locale>(initialLocale());
export const locale = computed(() => current.value);

export function setLocale(next: Locale): void {
  current.value = next;
  i18n.global.locale.value = next;
  globalThis.localStorage?.setItem('jn.locale', next);
  document.documentElement.lang = next;
  setApiLanguage(next);
}

setLocale(initialLocale());
