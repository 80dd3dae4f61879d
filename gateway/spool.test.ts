import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../core/log.ts';
import { Spool } from './spool.ts';

const file = () => join(mkdtempSync(join(tmpdir(), 'jn-spool-')), 'spool.db');
const log = createLogger({ level: 'error', sink: { write: () => {} } });

describe('gateway spool', () => {
  it('hands out consecutive sequence numbers that survive a reopen, and replays in order', () => {
    const f = file();
    const a = new Spool(f, { maxBytes: 1e9, maxAgeMs: 1e12 }, log);
    expect([a.append((s) => `b${s}`, 0), a.append((s) => `b${s}`, 0), a.append((s) => `b${s}`, 0)]).toEqual([
      1, 2, 3,
    ]);
    a.remove(1);
    a.close();
    const b = new Spool(f, { maxBytes: 1e9, maxAgeMs: 1e12 }, log);
    expect(b.next(0, 10)).toEqual([
      { seq: 2, payload: 'b2' },
      { seq: 3, payload: 'b3' },
    ]);
    expect(b.append((s) => `b${s}`, 0)).toBe(4);
    b.close();
  });

  it('drops the oldest batches past its size and age limits, and counts them', () => {
    const s = new Spool(file(), { maxBytes: 250, maxAgeMs: 60_000 }, log);
    for (let i = 0; i < 5; i++) s.append(() => 'x'.repeat(100), 1000);
    expect(s.stats()).toMatchObject({ batches: 2, bytes: 200, dropped: 3 });
    s.append(() => 'y', 1000 + 120_000); // two minutes later: the rest are too old
    expect(s.next(0, 10).map((b) => b.payload)).toEqual(['y']);
    expect(s.stats().dropped).toBe(5);
    s.close();
  });

  it('keeps what the broker acknowledged until a collector confirms it, and sends it again if none does', () => {
    const f = file();
    const s = new Spool(f, { maxBytes: 1e9, maxAgeMs: 1e12 }, log);
    const epoch = s.epoch();
    for (let i = 0; i < 4; i++) s.append((n) => `b${n}`, 0);
    for (const seq of [1, 2, 3]) s.acked(seq, 1000);
    expect(s.next(0, 10).map((b) => b.seq)).toEqual([4]); // only the unacknowledged go out
    expect(s.stats()).toMatchObject({ batches: 4, unsent: 1 });
    expect(s.confirm([[4, 4]])).toBe(0); // never sent: a confirmation of it is not believed
    expect(s.confirm([[1, 1]])).toBe(1);
    expect(s.doneUpTo()).toBe(1);
    expect(s.requeue(500, 10)).toBeUndefined(); // acknowledged at 1000: not overdue at 500
    expect(s.requeue(2000, 10)).toBe(2); // overdue: 2 and 3 are sent again
    expect(s.next(0, 10).map((b) => b.seq)).toEqual([2, 3, 4]);
    s.acked(2, 3000);
    s.close();
    // A restart sends everything unconfirmed again; the epoch stays with the file.
    const again = new Spool(f, { maxBytes: 1e9, maxAgeMs: 1e12 }, log);
    expect(again.next(0, 10).map((b) => b.seq)).toEqual([2, 3, 4]);
    expect(again.epoch()).toBe(epoch);
    again.close();
    expect(new Spool(file(), { maxBytes: 1e9, maxAgeMs: 1e12 }, log).epoch()).not.toBe(epoch);
  });
});
