import { describe, expect, it } from 'vitest';
import { siteInstant, siteTimeReplacer } from './timestamps.ts';

describe('API timestamps carry the site offset', () => {
  it('writes instants as Beijing time with +08:00, milliseconds only when there are any', () => {
    expect(siteInstant(Date.parse('2026-12-02T02:38:00Z'), 'Asia/Shanghai')).toBe(
      '2026-12-02T10:38:00+08:00',
    );
    expect(siteInstant(Date.parse('2026-12-01T18:00:00.250Z'), 'Asia/Shanghai')).toBe(
      '2026-12-02T02:00:00.250+08:00',
    );
  });

  it('converts every UTC instant in an answer, at any depth, and leaves other strings alone', () => {
    const body = {
      ts: '2026-11-25T20:49:19.018Z',
      nested: [{ set_at: '2026-12-02T00:00:00Z', note: 'until 2026-12-02T00:00:00Z' }],
      already: '2026-12-02T08:00:00+08:00',
      date: '2026-12-02',
    };
    const out = JSON.parse(JSON.stringify(body, siteTimeReplacer('Asia/Shanghai')));
    expect(out).toEqual({
      ts: '2026-11-26T04:49:19.018+08:00',
      nested: [{ set_at: '2026-12-02T08:00:00+08:00', note: 'until 2026-12-02T00:00:00Z' }],
      already: '2026-12-02T08:00:00+08:00',
      date: '2026-12-02',
    });
  });

  it('follows the zone of the site, not of the machine', () => {
    expect(siteInstant(Date.parse('2026-07-01T12:00:00Z'), 'Europe/Berlin')).toBe(
      '2026-07-01T14:00:00+02:00',
    );
  });
});
