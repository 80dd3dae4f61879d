import { describe, expect, it } from 'vitest';
import { tokenBody, tokenState } from './model';

describe('the 用户与令牌 screen', () => {
  it('says whether a token works: revoked, expired or active', () => {
    const now = Date.parse('2026-12-02T12:00:00+08:00');
    expect(tokenState({ revoked_at: '2026-12-01T09:00:00+08:00', expires_at: null }, now)).toEqual({
      state: 'revoked',
      at: '2026-12-01T09:00:00+08:00',
    });
    expect(tokenState({ revoked_at: null, expires_at: '2026-12-02T11:59:00+08:00' }, now)).toEqual({
      state: 'expired',
    });
    expect(tokenState({ revoked_at: null, expires_at: null }, now)).toEqual({ state: 'active' });
  });

  it('asks for a token with an expiry unless never, and the safety scope only when ticked', () => {
    expect(tokenBody({ name: ' BMS ', role: 'viewer', expires: '90d', safety: false })).toEqual({
      name: 'BMS',
      role: 'viewer',
      expires_in: '90d',
    });
    expect(tokenBody({ name: 'x', role: 'engineer', expires: 'never', safety: true })).toEqual({
      name: 'x',
      role: 'engineer',
      scopes: ['safety'],
    });
  });
});
