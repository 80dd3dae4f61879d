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
});
