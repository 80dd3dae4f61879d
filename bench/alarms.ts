import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AlarmEngine } from '../alarms/engine.ts';
import { AlarmDb } from '../core/alarms/db.ts';
import { alarmsSchema } from '../core/alarms/schema.ts';
import { ManualClock } from '../core/clock.ts';
import type { LoadedSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';

/**
 * The alarm engine raising `n` device_offline conditions in one tick (a site-wide outage once
 * its delay has passed): the figure is the tick's time, against the baseline of one raise.
 */
export async function benchAlarms(n = 20_000): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jn-bench-alarms-'));
  try {
    const db = new AlarmDb(join(dir, 'alarms.db'), 'Asia/Shanghai');
    const t0 = Date.parse('2026-03-02T09:00:00+08:00');
    const clock = new ManualClock(t0);
    const log = createLogger({ level: 'warn', sink: { write: () => {} } });
    const site = { config: { alarms: alarmsSchema.parse({}) } } as unknown as LoadedSite;
    const engine = new AlarmEngine({ site, db, clock, log });
    let events = 0;
    engine.onEvents((e) => {
      events += e.length;
    });
    const at = new Date(t0).toISOString();
    for (let i = 0; i < n; i++)
      engine.report({
        rule: 'device_offline',
        key: `dev-${i}`,
        active: true,
        at,
        message: `device dev-${i} does not answer`,
        message_zh: `设备 dev-${i} 无应答`,
        device: `dev-${i}`,
      });
    clock.advance(61_000);
    const start = performance.now();
    engine.tick();
    const ms = performance.now() - start;
    db.close();
    return [
      `${n} alarms raised in one tick: ${(ms / 1000).toFixed(2)} s (${((ms * 1000) / n).toFixed(0)} µs each, ${events} events)`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
