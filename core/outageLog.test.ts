import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';
import { OutageLog } from './outageLog.ts';

describe('outage log', () => {
  it('says an outage once when it starts and once when it ends, with its length and error count', () => {
    const lines: string[] = [];
    let now = 0;
    const log = createLogger({ sink: { write: (l) => lines.push(l) }, now: () => now });
    const outage = new OutageLog({
      log,
      what: 'mqtt broker',
      meanwhile: 'telemetry is spooled',
      now: () => now,
    });
    for (let i = 0; i < 248; i++) {
      outage.fail('connect ECONNREFUSED 127.0.0.1:1883');
      now += 129;
    }
    outage.ok();
    outage.ok();
    expect(lines.map((l) => l.slice(25).trim())).toEqual([
      'WARN  mqtt broker unreachable; telemetry is spooled error="connect ECONNREFUSED 127.0.0.1:1883"',
      'INFO  mqtt broker is back outage_s=32 errors=248',
    ]);
    outage.fail('again');
    expect(lines).toHaveLength(3); // a second outage is said again
    expect(outage.errors).toBe(249);
  });
});
