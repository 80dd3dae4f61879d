import { describe, expect, it } from 'vitest';
import { localTimestamp } from './build.ts';

describe('made_at', () => {
  it('is local time with its offset', () => {
    // 2025-12-31T16:05:09Z is 2026-01-01 00:05:09 in Shanghai (+08:00, no daylight saving)
    expect(localTimestamp(Date.parse('2025-12-31T16:05:09.700Z'), 'Asia/Shanghai')).toBe(
      '2026-01-01T00:05:09+08:00',
    );
    // and a zone west of Greenwich: New York in winter is −05:00
    expect(localTimestamp(Date.parse('2025-01-15T12:00:00Z'), 'America/New_York')).toBe(
      '2025-01-15T07:00:00-05:00',
    );
  });
});
