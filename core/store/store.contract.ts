import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuarantinedReading, RollupRow, Store, StoredReading, StoreOptions } from './store.ts';

const t0 = Date.UTC(2026, 10, 25, 1, 0, 0); // 2026-11-25 09:00 Asia/Shanghai

function reading(overrides: Partial<StoredReading>): StoredReading {
  return {
    site: 'fz-demo',
    building: 'b1',
    device: 'meter-1',
    point: 'active_power',
    value: 1,
    unit: 'W',
    ts: t0,
    quality: 'good',
    ...overrides,
  };
}

function hour(meter: string, start: number, value: number, extra: Partial<RollupRow> = {}): RollupRow {
  return {
    period: 'hour',
    meter,
    start,
    value,
    estimated: 0,
    unit: 'kWh',
    building: 'b1',
    category: 'electricity',
    role: 'main',
    ...extra,
  };
}

/** The behaviour every Store must have; run against InfluxDB and the embedded store. */
export function storeContract(name: string, makeStore: (options?: StoreOptions) => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await makeStore();
      await store.open();
      await store.open(); // idempotent
    });
    afterAll(async () => {
      await store.close();
    });

    it('returns exactly the values written, in time order, with their tags', async () => {
      const written = [
        reading({ device: 'rt', ts: t0 + 2000, value: 0.1 + 0.2 }),
        reading({ device: 'rt', ts: t0, value: -1234.5678901234 }),
        reading({
          device: 'rt',
          ts: t0 + 1000,
          value: 3.4028234663852886e38,
          point: 'import_energy',
          unit: 'kWh',
          meter: 'm-main',
          category: 'electricity',
          subitem: 'lighting_socket',
        }),
      ];
      await store.writeReadings(written);
      const got = await store.queryReadings({ device: 'rt' });
      expect(got).toEqual([written[1], written[2], written[0]]);
    });

    it('keeps the tags each reading was written with when a point is re-tagged between writes', async () => {
      // A meter moved to another building, or its 分项 corrected in the site file.
      const before = reading({ device: 'moved', ts: t0, meter: 'm-x', category: 'electricity' });
      const after = reading({
        device: 'moved',
        ts: t0 + 1000,
        building: 'b2',
        meter: 'm-x',
        category: 'electricity',
        subitem: 'hvac',
      });
      await store.writeReadings([before]);
      await store.writeReadings([after, { ...before, ts: t0 + 2000 }]);
      const got = await store.queryReadings({ device: 'moved' });
      expect(got).toEqual([before, after, { ...before, ts: t0 + 2000 }]);
    });

    it('filters by point and by a half-open time range [from, to)', async () => {
      const rows = [0, 1, 2, 3].map((i) => reading({ device: 'range', ts: t0 + i * 1000, value: i }));
      await store.writeReadings([
        ...rows,
        reading({ device: 'range', point: 'frequency', unit: 'Hz', value: 50 }),
      ]);
      const got = await store.queryReadings({
        device: 'range',
        point: 'active_power',
        from: t0 + 1000,
        to: t0 + 3000,
      });
      expect(got.map((r) => r.value)).toEqual([1, 2]);
    });

    it('treats a second write of the same device, point and time as a replacement, not a duplicate', async () => {
      await store.writeReadings([reading({ device: 'dup', value: 1 })]);
      await store.writeReadings([reading({ device: 'dup', value: 2 })]);
      const got = await store.queryReadings({ device: 'dup' });
      expect(got.map((r) => r.value)).toEqual([2]);
    });

    it('keeps bad-quality readings with their reason and no value', async () => {
      const bad = reading({ device: 'bad', value: null, quality: 'bad', reason: 'timeout after 1000 ms' });
      await store.writeReadings([bad]);
      expect(await store.queryReadings({ device: 'bad' })).toEqual([bad]);
    });

    it('gives the newest reading of every device and point', async () => {
      await store.writeReadings([
        reading({ device: 'latest', ts: t0, value: 10 }),
        reading({ device: 'latest', ts: t0 + 5000, value: 11 }),
        reading({ device: 'latest', ts: t0 + 3000, value: 12, point: 'import_energy', unit: 'kWh' }),
      ]);
      const latest = (await store.latest()).filter((r) => r.device === 'latest');
      expect(latest.map((r) => [r.point, r.value, r.ts])).toEqual([
        ['active_power', 11, t0 + 5000],
        ['import_energy', 12, t0 + 3000],
      ]);
      expect(latest[1]?.unit).toBe('kWh');
    });

    it('keeps quarantined readings aside, whatever their own timestamp, and never as readings', async () => {
      const received = Date.now() - 60_000;
      const q = (over: Partial<QuarantinedReading>): QuarantinedReading => ({
        gateway: 'gw',
        device: 'meter-q',
        point: 'import_energy',
        value: 12.5,
        unit: 'kWh',
        ts: '1970-01-01T00:00:00Z',
        quality: 'good',
        kind: 'too_old',
        reason: 'timestamp 1970-01-01T00:00:00Z is outside the accepted window',
        received,
        ...over,
      });
      await store.writeQuarantine([
        q({}),
        q({ ts: '2100-01-01T00:00:00Z', kind: 'in_future', value: null, quality: 'bad', unit: undefined }),
        q({ device: 'stranger', kind: 'unknown_device' }),
      ]);
      const got = await store.queryQuarantine({ from: received - 1, to: received + 1 });
      expect(got.map((r) => [r.device, r.ts, r.kind, r.value])).toEqual([
        ['meter-q', '1970-01-01T00:00:00Z', 'too_old', 12.5],
        ['meter-q', '2100-01-01T00:00:00Z', 'in_future', null],
        ['stranger', '1970-01-01T00:00:00Z', 'unknown_device', 12.5],
      ]);
      expect(got[0]).toEqual(q({}));
      expect(await store.queryReadings({ device: 'meter-q' })).toEqual([]);
    });

    it('answers a health ping', async () => {
      expect(await store.ping()).toBe(true);
    });

    it('stores hourly and daily rollups apart, and a recomputed row replaces the old one', async () => {
      const h = 3_600_000;
      await store.writeRollups([
        hour('r-main', t0, 10.5),
        hour('r-main', t0 + h, 12.25, { estimated: 2.25 }),
        hour('r-light', t0, 3, { role: 'sub', subitem: 'lighting_socket', area: 'f1' }),
        { period: 'day', meter: 'r-main', start: t0 - 9 * h, value: 22.75, estimated: 2.25, unit: 'kWh' },
      ]);
      await store.writeRollups([hour('r-main', t0, 11)]); // late data recomputed the first hour
      const hours = await store.queryRollups({ period: 'hour', from: t0, to: t0 + 2 * h });
      expect(hours.filter((r) => r.meter.startsWith('r-'))).toEqual([
        hour('r-light', t0, 3, { role: 'sub', subitem: 'lighting_socket', area: 'f1' }),
        hour('r-main', t0, 11),
        hour('r-main', t0 + h, 12.25, { estimated: 2.25 }),
      ]);
      expect(await store.queryRollups({ period: 'hour', meter: 'r-main', from: t0 + h })).toEqual([
        hour('r-main', t0 + h, 12.25, { estimated: 2.25 }),
      ]);
      expect(await store.queryRollups({ period: 'day', meter: 'r-main' })).toEqual([
        { period: 'day', meter: 'r-main', start: t0 - 9 * h, value: 22.75, estimated: 2.25, unit: 'kWh' },
      ]);
    });
  });

  describe(`store contract: ${name}, history`, () => {
    let store: Store;
    // Local (Asia/Shanghai) instants of 2026-11-24 and 25.
    const at = (local: string) => Date.parse(`2026-11-${local}+08:00`);
    beforeAll(async () => {
      store = await makeStore();
      await store.open();
      const r = (ts: number, value: number | null, extra: Partial<StoredReading> = {}) =>
        reading({
          device: 'hist',
          ts,
          value,
          ...(value === null ? { quality: 'bad', reason: 'timeout' } : {}),
          ...extra,
        });
      await store.writeReadings([
        r(at('24T07:30:00'), 1), // 23 November in UTC, 24 November locally
        r(at('24T10:00:00'), 10),
        r(at('24T10:20:00'), 20),
        r(at('24T10:40:00'), 30),
        r(at('24T12:00:00'), 5),
        r(at('24T12:30:00'), null),
        r(at('24T12:45:00'), 6, { building: 'b2' }), // re-tagged: another series, the same point
        r(at('24T12:59:59.999'), 7),
        r(at('25T00:30:00'), 100), // 24 November in UTC, 25 November locally
        reading({ device: 'hist-other', ts: at('24T10:00:00'), value: 999 }),
        reading({ device: 'hist', point: 'frequency', ts: at('24T10:00:00'), value: 50 }),
      ]);
    });
    afterAll(async () => {
      await store.close();
    });
    const q = (from: string, to: string, bucketMs: number) =>
      store.history({ device: 'hist', point: 'active_power', from: at(from), to: at(to), bucketMs });
    const gap = (start: number) => ({ start, min: null, max: null, avg: null, count: 0 });

    it('gives min, max, avg and count per hour, an hour without readings as a gap', async () => {
      expect(await q('24T10:00:00', '24T13:00:00', 3_600_000)).toEqual([
        { start: at('24T10:00:00'), min: 10, max: 30, avg: 20, count: 3 },
        gap(at('24T11:00:00')),
        { start: at('24T12:00:00'), min: 5, max: 7, avg: 6, count: 3 },
      ]);
    });

    it('buckets by local days, never UTC days, and merges days into longer buckets exactly', async () => {
      expect(await q('24T00:00:00', '26T00:00:00', 86_400_000)).toEqual([
        { start: at('24T00:00:00'), min: 1, max: 30, avg: 79 / 7, count: 7 },
        { start: at('25T00:00:00'), min: 100, max: 100, avg: 100, count: 1 },
      ]);
      expect(await q('24T00:00:00', '26T00:00:00', 2 * 86_400_000)).toEqual([
        { start: at('24T00:00:00'), min: 1, max: 100, avg: 179 / 8, count: 8 },
      ]);
    });

    it('keeps to [from, to) inside buckets that reach beyond it', async () => {
      expect(await q('24T10:10:00', '24T10:50:00', 15 * 60_000)).toEqual([
        gap(at('24T10:00:00')),
        { start: at('24T10:15:00'), min: 20, max: 20, avg: 20, count: 1 },
        { start: at('24T10:30:00'), min: 30, max: 30, avg: 30, count: 1 },
        gap(at('24T10:45:00')),
      ]);
    });

    it('makes a local day of 25 hours one bucket where the clocks go back (Europe/Berlin)', async () => {
      const berlin = { device: 'hist-dst', point: 'active_power', timeZone: 'Europe/Berlin' } as const;
      await store.writeReadings([
        reading({ device: 'hist-dst', ts: Date.parse('2026-10-25T00:30:00+02:00'), value: 2 }),
        reading({ device: 'hist-dst', ts: Date.parse('2026-10-25T23:30:00+01:00'), value: 4 }),
      ]);
      const day = Date.parse('2026-10-25T00:00:00+02:00');
      expect(
        await store.history({
          ...berlin,
          from: day,
          to: Date.parse('2026-10-27T00:00:00+01:00'),
          bucketMs: 86_400_000,
        }),
      ).toEqual([{ start: day, min: 2, max: 4, avg: 3, count: 2 }, gap(day + 25 * 3_600_000)]);
    });

    it('refuses more buckets than the limit, naming it', async () => {
      await expect(q('24T00:00:00', '29T00:00:00', 60_000)).rejects.toThrow(/at most 5000 buckets/);
    });
  });

  describe(`store contract: ${name}, retention`, () => {
    it('drops raw readings past the retention and keeps rollups of the same age', async () => {
      const store = await makeStore({ rawRetentionDays: 5 });
      await store.open();
      const now = Date.now();
      const day = 86_400_000;
      try {
        await store.writeReadings([
          reading({ device: 'ret', ts: now - 10 * day, value: 1 }),
          reading({ device: 'ret', ts: now - day, value: 2 }),
        ]);
        await store.writeRollups([hour('ret-meter', now - 10 * day - ((now - 10 * day) % 3_600_000), 4)]);
        await store.applyRetention(now);
        expect((await store.queryReadings({ device: 'ret' })).map((r) => r.value)).toEqual([2]);
        expect(
          (await store.queryRollups({ period: 'hour', meter: 'ret-meter' })).map((r) => r.value),
        ).toEqual([4]);
      } finally {
        await store.close();
      }
    });
  });
}
