import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlarmActionError, AlarmDb } from './db.ts';
import type { Condition } from './model.ts';

const T0 = Date.parse('2026-03-02T09:00:00+08:00');
const min = 60_000;
const file = () => join(mkdtempSync(join(tmpdir(), 'jn-alarms-')), 'alarms.db');
const offline = (active: boolean, at: number): Condition => ({
  rule: 'device_offline',
  key: 'zonghe-main-meter',
  active,
  at: new Date(at).toISOString(),
  message: 'zonghe-main-meter does not answer',
  message_zh: '综合楼总表无应答',
  device: 'zonghe-main-meter',
  building: 'zonghe-lou',
});
const opts = (now: number) => ({ now, severity: 'major' as const, holdOffMs: 10 * min });

describe('the alarm lifecycle in alarms.db', () => {
  it('raises, acknowledges (who, note), clears by the condition and then closes; all audited in local time', () => {
    const db = new AlarmDb(file(), 'Asia/Shanghai');
    const [raised] = db.observe(offline(true, T0), opts(T0));
    expect(raised?.alarm).toMatchObject({
      state: 'active',
      list: 'pending',
      raised_at: '2026-03-02T09:00:00+08:00',
    });
    const id = raised?.alarm.id as number;
    expect(db.observe(offline(true, T0 + min), opts(T0 + min))).toEqual([]); // still active: nothing new
    db.acknowledge(id, '王工', '已派人查看', T0 + 2 * min);
    expect(db.get(id)).toMatchObject({
      list: 'in_progress',
      acknowledged_by: '王工',
      ack_note: '已派人查看',
    });
    const cleared = db.observe(offline(false, T0 + 5 * min), opts(T0 + 5 * min));
    expect(cleared.map((e) => e.transition.action)).toEqual(['clear']);
    // Open through the hold-off: back within it, it would be this alarm again (not a new one).
    expect(db.closeSettled(T0 + 14 * min, 10 * min)).toEqual([]);
    expect(db.get(id)).toMatchObject({ state: 'cleared', list: 'in_progress' });
    expect(db.closeSettled(T0 + 15 * min, 10 * min).map((e) => e.transition.action)).toEqual(['close']);
    expect(db.get(id)).toMatchObject({
      state: 'closed',
      list: 'done',
      cleared_at: '2026-03-02T09:05:00+08:00',
    });
    expect(db.transitions(id).map((t) => [t.action, t.by])).toEqual([
      ['raise', 'alarm-service'],
      ['acknowledge', '王工'],
      ['clear', 'alarm-service'],
      ['close', 'alarm-service'],
    ]);
  });

  it('keeps a cleared, unacknowledged alarm pending; back within the hold-off it is the same alarm with a count', () => {
    const path = file();
    let db = new AlarmDb(path, 'Asia/Shanghai');
    let t = T0;
    for (let i = 0; i < 10; i++) {
      db.observe(offline(true, t), opts(t));
      t += 15_000;
      db.observe(offline(false, t), opts(t));
      t += 15_000;
    }
    const all = db.list({ status: 'all' });
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ count: 10, state: 'cleared', list: 'pending' });
    // Survives a restart of whoever holds the file.
    db.close();
    db = new AlarmDb(path, 'Asia/Shanghai');
    expect(db.list()[0]).toMatchObject({ count: 10, list: 'pending' });
    // After the hold-off, a new alarm (the old one closed as superseded, its history kept).
    const later = t + 11 * min;
    db.observe(offline(true, later), opts(later));
    expect(db.list({ status: 'all' }).map((a) => [a.state, a.count])).toEqual([
      ['active', 1],
      ['closed', 10],
    ]);
  });

  it('raises an acknowledged alarm that clears and comes back within the hold-off again, as the same alarm', () => {
    const db = new AlarmDb(file(), 'Asia/Shanghai');
    const id = db.observe(offline(true, T0), opts(T0))[0]?.alarm.id as number;
    db.acknowledge(id, '王工', '已知', T0 + min);
    db.observe(offline(false, T0 + 2 * min), opts(T0 + 2 * min));
    const back = db.observe(offline(true, T0 + 4 * min), opts(T0 + 4 * min));
    expect(back.map((e) => e.transition.action)).toEqual(['re_raise']);
    expect(db.list({ status: 'all' })).toHaveLength(1);
    // Raised again, it needs acknowledging again.
    expect(db.get(id)).toMatchObject({ count: 2, state: 'active', list: 'pending' });
  });

  it('counts what a cause alarm stands for once each, shelves with an expiry and refuses what cannot be done', () => {
    const db = new AlarmDb(file(), 'Asia/Shanghai');
    const [gw] = db.observe(
      {
        ...offline(true, T0),
        rule: 'gateway_offline',
        key: 'gw-zonghe',
        message: 'gw-zonghe offline',
        message_zh: '网关离线',
      },
      opts(T0),
    );
    const cause = { rule: 'gateway_offline', key: 'gw-zonghe' };
    for (const d of ['a', 'b', 'a', 'c']) db.affect(cause, `device_offline:${d}`, T0);
    expect(db.get(gw?.alarm.id as number)).toMatchObject({
      affected: 3,
      affected_keys: ['device_offline:a', 'device_offline:b', 'device_offline:c'],
    });
    const id = gw?.alarm.id as number;
    db.shelve(id, '王工', T0 + 60 * min, '网关更换中', T0);
    expect(db.counts()).toMatchObject({ pending: 0, shelved: 1 });
    expect(db.expireShelving(T0 + 30 * min)).toEqual([]);
    expect(db.expireShelving(T0 + 60 * min).map((e) => e.transition.action)).toEqual(['unshelve']);
    expect(() => db.closeAlarm(id, '王工', undefined, T0)).toThrow(AlarmActionError);
    expect(() => db.acknowledge(999, '王工', undefined, T0)).toThrow(/no alarm 999/);
    expect(() => db.shelve(id, '王工', T0 - 1, 'x', T0)).toThrow(/not in the future/);
  });

  it('writes the trail notes in Chinese first, the English after (the console drawer is zh-CN first)', () => {
    const db = new AlarmDb(file(), 'Asia/Shanghai');
    const [raised] = db.observe(offline(true, T0), opts(T0));
    const id = raised?.alarm.id as number;
    db.observe({ ...offline(true, T0), severity: 'critical', message: 'worse' }, opts(T0 + min));
    db.shelve(id, '王工', T0 + 60 * min, '电表更换中', T0 + min);
    db.expireShelving(T0 + 60 * min);
    db.observe(offline(false, T0 + 61 * min), opts(T0 + 61 * min));
    db.observe(offline(true, T0 + 62 * min), opts(T0 + 62 * min));
    db.observe(offline(false, T0 + 63 * min), opts(T0 + 63 * min));
    db.acknowledge(id, '王工', '已更换', T0 + 64 * min);
    expect(db.transitions(id).map((t) => [t.action, t.note])).toEqual([
      ['raise', null],
      ['update', '级别变为紧急（severity critical）'],
      ['shelve', '搁置至 2026-03-02T10:00:00+08:00（until 2026-03-02T10:00:00+08:00）：电表更换中'],
      ['unshelve', '搁置到期（shelving expired）'],
      ['clear', '综合楼总表无应答'],
      ['re_raise', '第 2 次发生（raised again 2 times）'],
      ['clear', '综合楼总表无应答'],
      ['acknowledge', '已更换'],
      ['close', '恢复后确认，报警关闭（acknowledged after it cleared）'],
    ]);
  });
});
