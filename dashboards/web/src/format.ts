/** Numbers and times as the page's language writes them (Intl), times in the site's time zone. */
import { locale } from './i18n';
import { defaultTimeZone } from './period';

const numberFormats = new Map<string, Intl.NumberFormat>();

/** `12,345.6` / `12,345.6` — at most `digits` decimals; missing values are the caller's to word. */
export function formatNumber(value: number, digits = 2): string {
  const key = `${locale.value}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale.value, { maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f.format(value);
}

/** A share as a percentage: 0.052 → `5.2%`. */
export function formatPercent(share: number, digits = 1): string {
  return new Intl.NumberFormat(locale.value, { style: 'percent', maximumFractionDigits: digits }).format(
    share,
  );
}

/** An instant (ISO with offset) as local date and time of the site: `2026-12-02 13:05:09`. */
export function formatTime(iso: string | number | Date, timeZone = defaultTimeZone): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

/** How long ago, in words of the page's language: `3 分钟前` / `3 minutes ago`. */
export function formatAge(ms: number): string {
  const rtf = new Intl.RelativeTimeFormat(locale.value, { numeric: 'always' });
  const s = Math.round(ms / 1000);
  if (Math.abs(s) < 60) return rtf.format(-s, 'second');
  const m = Math.round(s / 60);
  if (Math.abs(m) < 60) return rtf.format(-m, 'minute');
  const h = Math.round(m / 60);
  if (Math.abs(h) < 48) return rtf.format(-h, 'hour');
  return rtf.format(-Math.round(h / 24), 'day');
}
