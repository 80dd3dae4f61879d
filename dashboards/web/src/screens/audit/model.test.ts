import { describe, expect, it } from 'vitest';
import { messages } from './messages';
import {
  actionKey,
  actionKeyList,
  filterQuery,
  ledgerRows,
  nextBefore,
  noteText,
  tabsFor,
  targetText,
} from './model';

describe('the audit screen’s model', () => {
  it('gives admins the API audit first; the others the control and ledger audits', () => {
    expect(tabsFor('admin')).toEqual(['api', 'control', 'ledger']);
    expect(tabsFor('engineer')).toEqual(['control', 'ledger']);
    expect(tabsFor('officer')).toEqual(['control', 'ledger']);
  });

  it('sends only the filled filters, trimmed', () => {
    expect(filterQuery({ user: ' 王工 ', action: '', target: '  ' })).toEqual({ user: '王工' });
  });

  it('pages on from the last id of a full page only', () => {
    expect(nextBefore([{ id: 9 }, { id: 8 }], 2)).toBe(8);
    expect(nextBefore([{ id: 9 }], 2)).toBeUndefined();
    expect(nextBefore([{ id: 2 }, { id: 1 }], 2)).toBeUndefined();
  });

  it('lists the ledger audit newest first with origin, rows and replacements', () => {
    expect(
      ledgerRows([
        {
          at: '2026-12-01T09:00:00+08:00',
          action: 'import facts',
          detail: { origin: 'facts.csv', rows: 3, replaced: 0 },
        },
        {
          at: '2026-12-02T10:00:00+08:00',
          action: 'enter entries',
          detail: { origin: 'api:李科长', rows: 1, replaced: 1 },
        },
        { at: '2026-12-02T11:00:00+08:00', action: 'odd', detail: null },
      ]),
    ).toEqual([
      { at: '2026-12-02T11:00:00+08:00', action: 'odd', origin: null, rows: null, replaced: null },
      {
        at: '2026-12-02T10:00:00+08:00',
        action: 'enter entries',
        origin: 'api:李科长',
        rows: 1,
        replaced: 1,
      },
      { at: '2026-12-01T09:00:00+08:00', action: 'import facts', origin: 'facts.csv', rows: 3, replaced: 0 },
    ]);
  });

  it('shows a point target with its priority, other targets and notes as they are', () => {
    expect(targetText('point:ac-1/cooling_setpoint@8')).toBe('ac-1/cooling_setpoint · P8');
    expect(targetText('user:王工')).toBe('user:王工');
    expect(targetText(null)).toBe('');
    expect(noteText(null)).toBeNull();
    expect(noteText({ a: 1 })).toBe('{\n  "a": 1\n}');
  });

  it('words API audit actions through a catalogue, in both languages; an unknown one stays raw', () => {
    expect(actionKey('PUT /api/v1/points/:device/:point/override')).toBe('override');
    expect(actionKey('DELETE /api/v1/points/:device/:point/override')).toBe('relinquish');
    expect(actionKey('auth.login')).toBe('login');
    expect(actionKey('PUT /api/v1/schedules/:id')).toBe('editSchedule');
    expect(actionKey('GET /api/v1/nothing')).toBeUndefined();
    for (const lang of ['zh-CN', 'en'] as const) {
      const words = messages[lang].api.actions as Record<string, string>;
      for (const key of actionKeyList) expect(words[key], `${lang} ${key}`).toBeTruthy();
    }
    expect(messages['zh-CN'].api.actions.override).toBe('人工干预');
    expect(messages['zh-CN'].api.outcome.refused).toBe(messages['zh-CN'].control.outcome.rejected);
  });
});
