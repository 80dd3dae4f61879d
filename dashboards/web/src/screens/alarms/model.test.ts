import { describe, expect, it } from 'vitest';
import { alarmRows } from './model';

describe('the 报警 placeholder', () => {
  it('lists the API’s alarms newest first, keeping an item with a missing field', () => {
    const rows = alarmRows([
      {
        at: '2026-12-02T09:00:00+08:00',
        device: 'ac-1',
        point: 'setpoint',
        kind: 'not_following',
        message: 'a',
      },
      {
        at: '2026-12-02T10:00:00+08:00',
        device: 'ac-2',
        point: 'on_off',
        kind: 'write_failed',
        message: 'b',
      },
      { device: 'ac-3' },
    ]);
    expect(rows.map((r) => r.device)).toEqual(['ac-2', 'ac-1', 'ac-3']);
    expect(rows[2]).toEqual({ at: '', device: 'ac-3', point: '', kind: '', message: '' });
  });
});
