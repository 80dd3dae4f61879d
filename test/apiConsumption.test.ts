import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { startApi } from '../api/main.ts';
import { loadSite } from '../core/config/loadSite.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { createReports } from '../reports/service.ts';
import { apiToken, authedFetch } from './helpers/apiAuth.ts';
import { writeTestSite } from './helpers/site.ts';

const log = createLogger({ level: 'error' });
// The API's accounts and audit live here; the officer's token makes every call (anonymous ones get 401).
const apiDir = mkdtempSync(join(tmpdir(), 'jn-api-auth-'));
const officer = apiToken(apiDir, { role: 'officer', name: '王工' });
const authed = authedFetch(officer);

describe('GET /api/v1/consumption', () => {
  it('totals local days through the site tree and explains bad parameters', async () => {
    const { file } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a', 'm-b'] });
    const site = loadSite(file);
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-api-')), 'jieneng.db'));
    await store.open();
    const day = (meter: string, date: string, value: number, estimated = 0) => ({
      period: 'day' as const,
      meter,
      start: Date.parse(`${date}T00:00:00+08:00`),
      value,
      estimated,
      unit: 'kWh',
    });
    // Both test meters are main meters of building b1 (writeTestSite): the building total is their sum.
    await store.writeRollups([
      day('m-a-kwh', '2025-06-30', 1000), // outside the range
      day('m-a-kwh', '2025-07-01', 120.5),
      day('m-a-kwh', '2025-07-02', 130, 13),
      day('m-b-kwh', '2025-07-01', 80),
      day('m-b-kwh', '2025-07-03', 999), // outside: to (2025-07-02) is the last day
    ]);
    const api = await startApi({ dataDir: apiDir, store, health: async () => ({}), log, port: 0, site });
    // English texts pinned below: Accept-Language en (Chinese is the default, test/apiQueries.test.ts).
    const get = (q: string) =>
      authed(`http://127.0.0.1:${api.port}/api/v1/consumption?${q}`, {
        headers: { 'accept-language': 'en' },
      });
    try {
      const res = await get('from=2025-07-01&to=2025-07-02&group_by=building');
      expect(res.status).toBe(200);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.from).toBe('2025-07-01T00:00:00+08:00'); // local midnight, with the site's offset
      expect(body.to).toBe('2025-07-03T00:00:00+08:00'); // the end of the last day, local
      // 120.5 + 130 + 80 = 330.5, of which 13 estimated
      expect(body.totals).toEqual([
        { key: 'b1', category: 'electricity', value: 330.5, estimated: 13, unit: 'kWh' },
      ]);

      // 分项: with no sub-meters everything the main meters read is 其他/未计量 …
      const subitems = (await (await get('from=2025-07-01&to=2025-07-02&group_by=subitem')).json()) as {
        totals: { key: string; value: number | null; unit: string | null; note?: string }[];
      };
      expect(subitems.totals).toMatchObject([{ key: 'other', value: 330.5, unit: 'kWh' }]);
      // … and on days no main meter reported it is unknown (null, 缺数据), not a 0 that reads as "all metered".
      const none = (await (await get('from=2025-07-05&to=2025-07-05&group_by=subitem')).json()) as {
        totals: { key: string; value: number | null; unit: string | null; note?: string }[];
      };
      expect(none.totals).toMatchObject([{ key: 'other', value: null, unit: null }]);
      expect(none.totals[0]?.note).toContain('no main meter (总表) reported in the range');

      const series = (await (
        await get('from=2025-07-01&to=2025-07-02&group_by=meter&meter=m-a-kwh')
      ).json()) as {
        series: unknown[];
      };
      expect(series.series).toEqual([
        { start: '2025-07-01T00:00:00+08:00', value: 120.5, estimated: 0, unit: 'kWh' },
        { start: '2025-07-02T00:00:00+08:00', value: 130, estimated: 13, unit: 'kWh' },
      ]);

      const bad = await get('from=2025-07-01&to=July&group_by=floor');
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(((await bad.json()) as { detail: string }).detail).toBe(
        'to: "July" is not a date; allowed: a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31, or an ISO-8601 instant with offset in those years. ' +
          'group_by: "floor" is not allowed; allowed: meter, area, building, organization, subitem, item_code (default building)',
      );
      const backwards = await get('from=2025-07-02&to=2025-07-01');
      expect(backwards.status).toBe(400);
      expect(((await backwards.json()) as { detail: string }).detail).toBe(
        'to: "2025-07-01" ends before from "2025-07-02" starts; allowed: a last day on or after from (both included), or an instant after from',
      );
      const unknownMeter = await get('from=2025-07-01&to=2025-07-02&meter=nope');
      expect(unknownMeter.status).toBe(404);
      expect(((await unknownMeter.json()) as { detail: string }).detail).toContain(
        'meters are: m-a-kwh, m-b-kwh',
      );
    } finally {
      await api.stop();
      await store.close();
    }
  });

  it('counts a day the range cuts (today so far, and its base periods) from its hours, never as the whole day', async () => {
    const { file } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a'] });
    const site = loadSite(file);
    const store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-api-')), 'jieneng.db'));
    await store.open();
    const at = (local: string) => Date.parse(`${local}+08:00`);
    const row = (period: 'day' | 'hour', start: string, value: number) => ({
      period,
      meter: 'm-a-kwh',
      start: at(start),
      value,
      estimated: 0,
      unit: 'kWh',
    });
    await store.writeRollups([
      row('day', '2025-12-01T00:00:00', 100),
      row('day', '2025-12-02T00:00:00', 240), // a whole day of 24 × 10 kWh
      ...Array.from({ length: 24 }, (_, h) =>
        row('hour', `2025-12-02T${String(h).padStart(2, '0')}:00:00`, 10),
      ),
      row('day', '2025-12-03T00:00:00', 50), // a cut day without hours
    ]);
    const api = await startApi({ dataDir: apiDir, store, health: async () => ({}), log, port: 0, site });
    const total = async (q: string) => {
      const body = (await (
        await authed(`http://127.0.0.1:${api.port}/api/v1/consumption?${q}&group_by=meter&meter=m-a-kwh`)
      ).json()) as { totals: { value: number }[]; series: { start: string; value: number }[] };
      return { value: body.totals[0]?.value ?? 0, series: body.series };
    };
    try {
      // 1 December whole, and 2 December until 14:00: 100 + 14 × 10 — not 100 + 240.
      const cut = await total(`from=2025-12-01&to=${encodeURIComponent('2025-12-02T14:00:00+08:00')}`);
      expect(cut.value).toBe(240);
      expect(cut.series).toEqual([
        expect.objectContaining({ start: '2025-12-01T00:00:00+08:00', value: 100 }),
        expect.objectContaining({ start: '2025-12-02T00:00:00+08:00', value: 140 }),
      ]);
      // A range inside one day: its hours.
      expect(
        (
          await total(
            `from=${encodeURIComponent('2025-12-02T08:00:00+08:00')}&to=${encodeURIComponent('2025-12-02T10:00:00+08:00')}`,
          )
        ).value,
      ).toBe(20);
      // Whole days stay the day rollups; a cut day without hours adds nothing (not its whole day).
      expect((await total('from=2025-12-01&to=2025-12-02')).value).toBe(340);
      expect(
        (await total(`from=2025-12-03&to=${encodeURIComponent('2025-12-03T12:00:00+08:00')}`)).value,
      ).toBe(0);
    } finally {
      await api.stop();
      await store.close();
    }
  });

  it('GET /api/v1/reports/intensity as JSON and as a zip of CSV tables; bad parameters explained', async () => {
    const { file, dir } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a'] });
    const site = loadSite(file);
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    // 10 local days of 500 kWh on the main meter of b1 (10,000 m², 300 people)
    await store.writeRollups(
      Array.from({ length: 10 }, (_, i) => ({
        period: 'day' as const,
        meter: 'm-a-kwh',
        start: Date.parse(`2025-03-${String(i + 1).padStart(2, '0')}T00:00:00+08:00`),
        value: 500,
        estimated: 0,
        unit: 'kWh',
      })),
    );
    const api = await startApi({
      dataDir: apiDir,
      store,
      health: async () => ({}),
      log,
      port: 0,
      site,
      reports: createReports({ site, store, ledgerFile: join(dir, 'ledger.db') }),
    });
    // English texts pinned below: Accept-Language en (Chinese is the default, test/apiQueries.test.ts).
    const get = (q: string) =>
      authed(`http://127.0.0.1:${api.port}/api/v1/reports/intensity?${q}`, {
        headers: { 'accept-language': 'en' },
      });
    try {
      const json = (await (await get('from=2025-03-01&to=2025-03-10')).json()) as {
        organization: { energy_kgce: number; indicators: { electricity_per_area_kwh_m2: number } };
      };
      // 5,000 kWh × 0.1229 = 614.5 kgce; 5,000 / 10,000 m² = 0.5 kWh/m²
      expect(json.organization.energy_kgce).toBeCloseTo(614.5, 9);
      expect(json.organization.indicators.electricity_per_area_kwh_m2).toBe(0.5);
      const csv = await get('from=2025-03-01&to=2025-03-10&format=csv&basis=generation');
      expect(csv.headers.get('content-type')).toBe('application/zip');
      expect(csv.headers.get('content-disposition')).toContain('intensity_2025-03-01_2025-03-10.csv.zip');
      const files = unzipSync(new Uint8Array(await csv.arrayBuffer()));
      const summary = files['01-摘要.csv'] ?? new Uint8Array();
      expect([...summary.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(strFromU8(summary)).toContain('电力按等价值折标');
      // The period as typed: the last day after 至, not the day after it.
      expect(strFromU8(summary)).toContain('2025-03-01 至 2025-03-10');
      const bad = await get('from=2025-03-01&to=2025-03-10&basis=coal&from=2025-03-02');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toBe(
        'from: given 2 times; allowed: once, a local date YYYY-MM-DD (Asia/Shanghai) from 2000-01-01 to 2100-12-31. ' +
          'basis: "coal" is not allowed; allowed: equivalent, generation (default equivalent)',
      );
    } finally {
      await api.stop();
      await store.close();
    }
  });

  it('POST /api/v1/entries and /facts: all checked, all or none, audited, and in the next report', async () => {
    const { file, dir } = writeTestSite({ modbusPort: 1, gatewayId: 'gw', devices: ['m-a'] });
    const site = loadSite(file);
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    // b1's electricity meter: 100 kWh a day through March, so its electricity is there in full
    await store.writeRollups(
      Array.from({ length: 31 }, (_, d) => ({
        period: 'day' as const,
        meter: 'm-a-kwh',
        start: Date.parse(`2025-03-${String(d + 1).padStart(2, '0')}T00:00:00+08:00`),
        value: 100,
        estimated: 0,
        unit: 'kWh',
      })),
    );
    const api = await startApi({
      dataDir: apiDir,
      store,
      health: async () => ({}),
      log,
      port: 0,
      site,
      reports: createReports({ site, store, ledgerFile: join(dir, 'ledger.db') }),
    });
    const post = (path: string, body: unknown) =>
      authed(`http://127.0.0.1:${api.port}/api/v1/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: officer.headers.authorization ?? '' },
        body: JSON.stringify(body),
      });
    const good = {
      building: 'b1',
      period_start: '2025-03-01',
      period_end: '2025-03-31',
      energy_type: 'diesel',
      quantity: 0.62,
      unit: 't',
      source: '3月加油卡',
    };
    try {
      const bad = await post('entries', [good, { ...good, quantity: 'lots', colour: 'red' }]);
      expect(bad.status).toBe(422);
      const problem = (await bad.json()) as { problems: string[] };
      expect(problem.problems).toEqual([
        'entries[1].quantity："lots"：应为不小于 0 的数',
        'entries[1]：未知的键 colour；可用的键：building、period_start、period_end、energy_type、quantity、unit、source、cost_yuan',
      ]);
      const none = (await (await authed(`http://127.0.0.1:${api.port}/api/v1/entries`)).json()) as unknown[];
      expect(none).toEqual([]); // all or none

      const ok = await post('entries', good);
      expect(ok.status).toBe(201);
      // 0.62 t = 620 kg of diesel
      expect(((await ok.json()) as { entries: { quantity: number }[] }).entries[0]?.quantity).toBe(620);
      expect(
        (
          await post('facts', {
            building: 'b1',
            effective_from: '2025-03-16',
            floor_area_m2: 10_000,
            headcount: 400,
          })
        ).status,
      ).toBe(201);
      // The same month again with another figure overlaps the stored entry: refused, or replaced on request.
      const again = { ...good, quantity: 0.7, source: '3月加油卡（更正）' };
      const overlap = await post('entries', again);
      expect(overlap.status).toBe(422);
      expect(((await overlap.json()) as { problems: string[] }).problems[0]).toContain('重叠');
      const fixed = await post('entries?replace=true', again);
      expect(fixed.status).toBe(201);
      expect(((await fixed.json()) as { replaced: number }).replaced).toBe(1);
      expect((await post('entries?replace=maybe', again)).status).toBe(400);
      await post('entries?replace=true', good); // back to 0.62 t for the report below
      const audit = (await (await authed(`http://127.0.0.1:${api.port}/api/v1/ledger/audit`)).json()) as {
        action: string;
        detail: { origin: string };
      }[];
      expect(audit.map((a) => [a.action, a.detail.origin])).toEqual([
        ['enter entries', 'api:token:王工'],
        ['enter facts', 'api:token:王工'],
        ['enter entries', 'api:token:王工'],
        ['enter entries', 'api:token:王工'],
      ]);
      const report = (await (
        await authed(`http://127.0.0.1:${api.port}/api/v1/reports/intensity?from=2025-03-01&to=2025-03-31`)
      ).json()) as {
        organization: { energy_kgce: number; headcount: number };
        entries_used: { source: string; counted_quantity: number }[];
      };
      // 620 kg × 1.4571 = 903.402 kgce of diesel + 3,100 kWh × 0.1229 = 380.99 kgce of electricity
      expect(report.organization.energy_kgce).toBeCloseTo(903.402 + 380.99, 9);
      expect(report.entries_used.map((e) => [e.source, e.counted_quantity])).toEqual([['3月加油卡', 620]]);
      // headcount 300 for 15 days and 400 for 16: (4,500 + 6,400) / 31
      expect(report.organization.headcount).toBeCloseTo(10_900 / 31, 9);
    } finally {
      await api.stop();
      await store.close();
    }
  });
});
