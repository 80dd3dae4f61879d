import { describe, expect, it } from 'vitest';
import type { Actor } from '../core/auth/actor.ts';
import { policyData } from '../core/control/policyData.ts';
import { privilegeRefusal } from './privileges.ts';

const now = Date.parse('2026-12-02T10:00:00+08:00');
const H = 3_600_000;
const engineer: Actor = { user: '王工', role: 'engineer', via: 'session', scopes: [] };
const admin: Actor = { user: '刘局', role: 'admin', via: 'session', scopes: [] };
const safety: Actor = {
  user: 'fire-panel',
  role: 'engineer',
  via: 'token',
  scopes: ['safety'],
  tokenId: 't1',
};
const officer: Actor = { user: '李明', role: 'officer', via: 'session', scopes: [] };
const viewer: Actor = { user: '访客', role: 'viewer', via: 'session', scopes: [] };

const ask = (
  actor: Actor,
  priority: number,
  more: { reason?: string; expiresAt?: number; value?: number | null } = {},
) => privilegeRefusal({ actor, priority, value: more.value === undefined ? 26 : more.value, ...more }, now);

describe('command privileges (policy data command_privileges)', () => {
  it('every level 1–16 has exactly one rule, each with its source', () => {
    const rules = policyData.command_privileges;
    expect(rules.levels.map((r) => `${r.from}–${r.to}`)).toEqual(['1–7', '8–16']);
    for (const r of rules.levels) expect(r.source).toMatch(/issue 15/);
    expect(rules.max_expiry).toMatchObject({ value: 7, unit: 'd' });
  });

  it('an engineer takes 8–16 with an expiry of at most 7 days, never 1–7 and never permanent', () => {
    expect(ask(engineer, 8, { expiresAt: now + 2 * H })).toBeUndefined();
    expect(ask(engineer, 16, { expiresAt: now + 7 * 24 * H })).toBeUndefined();
    expect(ask(engineer, 1, { expiresAt: now + H, reason: '演练' })).toMatchObject({
      code: 'priority_not_allowed',
      rule: 'command_privileges.levels[0]',
      message:
        'priority 1 (life safety) needs a token with the "safety" scope or an admin with a reason and an expiry; 王工 is an engineer: take priority 8–16',
    });
    expect(ask(engineer, 8)?.message).toBe(
      'priority 8 (manual operator) needs an expiry: give "for" (e.g. "2h") or "until", at most 7 d; only an admin with a reason sets an override without one, and 王工 is an engineer',
    );
    expect(ask(engineer, 8, { reason: '长期' })?.rule).toBe('command_privileges.permanent');
    expect(ask(engineer, 12, { expiresAt: now + 8 * 24 * H })).toMatchObject({
      rule: 'command_privileges.max_expiry',
      message: 'an expiry 8.0 d from now is past the longest override, 7 d; give at most 7 d',
    });
  });

  it('a token with the safety scope takes 3 with a reason and an expiry', () => {
    expect(ask(safety, 3, { expiresAt: now + H, reason: '消防联动' })).toBeUndefined();
    expect(ask(safety, 3, { expiresAt: now + H })?.message).toBe(
      'priority 3 (safety band, unassigned) needs a reason: give "reason" (and an expiry)',
    );
    expect(ask(safety, 1, { reason: '消防联动' })?.message).toBe(
      'priority 1 (life safety) needs an expiry: give "for" (e.g. "2h") or "until", at most 7 d',
    );
  });

  it('an admin sets a permanent override only with a reason, and 1–7 only with a reason and an expiry', () => {
    expect(ask(admin, 8, { reason: '档案室恒温 局办公会决定' })).toBeUndefined();
    expect(ask(admin, 8)?.message).toBe(
      'a permanent override (no expiry) at priority 8 (manual operator) needs a reason: give "reason", or an expiry ("for" or "until")',
    );
    expect(ask(admin, 5, { reason: '冷机保护', expiresAt: now + H })).toBeUndefined();
    expect(ask(admin, 5, { reason: '冷机保护' })?.rule).toBe('command_privileges.levels[0]');
    expect(ask(admin, 9, { expiresAt: now + 30 * 24 * H })?.message).toMatch(
      /past the longest override, 7 d; give at most 7 d, or no expiry with a reason \(permanent\)$/,
    );
  });

  it('viewers and officers command nothing, not even a relinquish', () => {
    for (const actor of [viewer, officer]) {
      const r = ask(actor, 12, { expiresAt: now + H });
      expect(r?.rule).toBe('command_privileges.no_command');
      expect(ask(actor, 12, { value: null })?.rule).toBe('command_privileges.no_command');
    }
    expect(ask(officer, 12)?.zh).toBe(
      '李明 的角色是节能统计员：只读用户和节能统计员不能下发设备指令；工程师可使用优先级 8–16',
    );
    expect(ask(officer, 12)?.message).toBe(
      '李明 is an officer: viewers and officers may not command equipment; an engineer takes priority 8–16',
    );
  });

  it('relinquishing a level needs the privilege of setting it, not a reason or an expiry', () => {
    expect(ask(engineer, 8, { value: null })).toBeUndefined();
    expect(ask(engineer, 2, { value: null })?.rule).toBe('command_privileges.levels[0]');
    // Who may clear the level, with its label; no word of a reason or an expiry.
    expect(ask(engineer, 3, { value: null })).toMatchObject({
      message:
        'relinquishing priority 3 (safety band, unassigned) needs a token with the "safety" scope or an admin; 王工 is an engineer: relinquish priority 8–16',
      zh: '释放优先级 3（安全级，未分配）需要带 "safety" 权限范围的令牌或管理员；王工 的角色是工程师：可释放优先级 8–16',
    });
    expect(ask(safety, 2, { value: null })).toBeUndefined();
    expect(ask(admin, 1, { value: null })).toBeUndefined();
  });
});
