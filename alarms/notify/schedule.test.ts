import { describe, expect, it } from 'vitest';
import { dingtalkSign } from './channels.ts';
import { inQuietHours, lastDigestSlot, RETRY_DELAYS_MS, retryAt } from './schedule.ts';

const at = (local: string) => Date.parse(`${local}+08:00`);
const tz = 'Asia/Shanghai';

describe('notification times (local, Asia/Shanghai)', () => {
  it('quiet hours across midnight include the start and exclude the end', () => {
    expect(inQuietHours('22:00-07:00', at('2026-03-02T21:59:59'), tz)).toBe(false);
    expect(inQuietHours('22:00-07:00', at('2026-03-02T22:00:00'), tz)).toBe(true);
    expect(inQuietHours('22:00-07:00', at('2026-03-03T06:59:00'), tz)).toBe(true);
    expect(inQuietHours('22:00-07:00', at('2026-03-03T07:00:00'), tz)).toBe(false);
    expect(inQuietHours('12:00-13:30', at('2026-03-03T13:29:00'), tz)).toBe(true);
    expect(inQuietHours('12:00-13:30', at('2026-03-03T13:30:00'), tz)).toBe(false);
    // 22:00 local is 14:00 UTC: a UTC reading would say "not quiet".
    expect(inQuietHours('22:00-07:00', Date.parse('2026-03-02T14:30:00Z'), tz)).toBe(true);
  });

  it('the digest slot is the last local digest time at or before now', () => {
    expect(lastDigestSlot('08:30', at('2026-03-03T08:29:59'), tz)).toBe(at('2026-03-02T08:30:00'));
    expect(lastDigestSlot('08:30', at('2026-03-03T08:30:00'), tz)).toBe(at('2026-03-03T08:30:00'));
    expect(lastDigestSlot('08:30', at('2026-03-03T23:59:00'), tz)).toBe(at('2026-03-03T08:30:00'));
    expect(lastDigestSlot('00:00', at('2026-03-03T00:00:30'), tz)).toBe(at('2026-03-03T00:00:00'));
  });

  it('retries back off 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, then give up', () => {
    expect(RETRY_DELAYS_MS.map((_, i) => (retryAt(0, i + 1) ?? 0) / 1000)).toEqual([
      30, 120, 600, 1800, 3600, 7200,
    ]);
    expect(retryAt(0, 7)).toBeUndefined();
  });

  it('signs DingTalk webhooks as documented: base64 HMAC-SHA256 of "timestamp\\nsecret", URL-encoded', () => {
    // Computed independently: printf '1700000000000\nSECabc' | openssl dgst -sha256 -hmac SECabc -binary | base64
    expect(dingtalkSign('SECabc', 1700000000000)).toBe('jcUpW0QmtKduN03n4JqQ0PBosVjqnM8gU7fIIvsDmCM%3D');
  });
});
