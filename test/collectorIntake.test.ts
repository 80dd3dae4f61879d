import { describe, expect, it } from 'vitest';
import { createIntake, defaultAcceptWindow } from '../collector/intake.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { writeTestSite } from './helpers/site.ts';

const NOW = Date.parse('2026-12-01T12:00:00+08:00');

function intake() {
  const site = loadSite(writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a', 'm-b'] }).file);
  return createIntake(site, defaultAcceptWindow(site));
}

const reading = (over: Record<string, unknown> = {}) => ({
  device: 'm-a',
  point: 'import_energy',
  value: 12.5,
  unit: 'kWh',
  ts: '2026-12-01T11:59:00+08:00',
  quality: 'good',
  ...over,
});
const message = (readings: unknown[], over: Record<string, unknown> = {}) =>
  Buffer.from(
    JSON.stringify({
      gateway: 'gw',
      epoch: 'abc',
      seq: 1,
      sent_at: '2026-12-01T04:00:00Z',
      readings,
      ...over,
    }),
  );

describe('telemetry intake', () => {
  it('stores the good readings of a batch and drops each bad one with its reason', () => {
    const take = intake();
    const got = take(
      'jn/v1/gw/telemetry',
      message([
        reading(),
        reading({ ts: '1970-01-01T00:00:00Z' }),
        reading({ ts: '2100-01-01T00:00:00Z' }),
        reading({ device: 'm-z' }),
        reading({ value: 'x' }),
        reading({ device: 'm-b', reason: 'x'.repeat(100_000), quality: 'bad', value: null }),
      ]),
      NOW,
    );
    expect(got.kind).toBe('batch');
    if (got.kind !== 'batch') return;
    expect(got.readings).toHaveLength(1);
    expect(got.dropped.map((d) => d.kind)).toEqual([
      'too_old',
      'in_future',
      'unknown_device',
      'invalid',
      'invalid',
    ]);
    expect(got.dropped[0]?.reason).toBe(
      "timestamp 1970-01-01T00:00:00Z is outside the accepted window (31 d back, 10 min ahead of the collector's clock 2026-12-01T04:00:00.000Z)",
    );
    expect(got.dropped[2]?.reason).toBe('device "m-z" is not a device of gateway "gw" in the site file');
    expect(got.dropped[4]?.reason.length).toBeLessThanOrEqual(500);
  });

  it('rejects a message over the size limit before parsing it', () => {
    const take = intake();
    const got = take('jn/v1/gw/telemetry', Buffer.alloc(5 * 1024 * 1024, 32), NOW);
    expect(got).toEqual({
      kind: 'rejected',
      reason: 'message of 5242880 bytes is over the limit of 4194304 bytes',
    });
  });

  it('gives a redelivery the same identity and a batch with other content another', () => {
    const take = intake();
    const a = take('jn/v1/gw/telemetry', message([reading()]), NOW);
    const b = take('jn/v1/gw/telemetry', message([reading()]), NOW);
    const c = take('jn/v1/gw/telemetry', message([reading({ value: 13 })]), NOW);
    if (a.kind !== 'batch' || b.kind !== 'batch' || c.kind !== 'batch') throw new Error('not batches');
    expect(a.identity).toBe(b.identity);
    expect(c.identity).not.toBe(a.identity);
  });
});
