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

const log = createLogger({ level: 'error' });
const apiDir = mkdtempSync(join(tmpdir(), 'jn-api-codes-'));
const authed = authedFetch(apiToken(apiDir, { role: 'officer', name: '王工' }));

interface Total {
  key: string;
  value: number | null;
  estimated: number;
  name?: string;
  parent?: string | null;
  subitem?: string;
}

/**
 * The demo site (examples/demo-site.yaml, every meter coded: 01000 总表, 01A00, 01B00, 01C00 and
 * 01D10 信息中心 for the data rooms) over two local days, by 分项 and by 分项编码, from the API.
 */
describe('the demo site by item code (分项编码)', () => {
  it('GET /consumption?group_by=item_code and the report equal the grouping by 分项', async () => {
    const site = loadSite('examples/demo-site.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'jn-api-codes-'));
    const store = new SqliteStore(join(dir, 'jieneng.db'));
    await store.open();
    // kWh a day per meter, the same both days (1 and 2 July 2025); 服务楼 has no 特殊 meter
    const perDay: Record<string, number> = {
      'zonghe-main': 9000,
      'zonghe-lighting-socket': 2000,
      'zonghe-hvac': 4000,
      'zonghe-power': 1000,
      'zonghe-special': 900,
      'fuwu-main': 3000,
      'fuwu-lighting-socket': 700,
      'fuwu-hvac': 1500,
      'fuwu-power': 400,
      'dangan-main': 2500,
      'dangan-lighting-socket': 500,
      'dangan-hvac': 1200,
      'dangan-power': 300,
      'dangan-special': 240,
    };
    await store.writeRollups(
      ['2025-07-01', '2025-07-02'].flatMap((date) =>
        Object.entries(perDay).map(([meter, value]) => ({
          period: 'day' as const,
          meter,
          start: Date.parse(`${date}T00:00:00+08:00`),
          value,
          estimated: 0,
          unit: 'kWh',
        })),
      ),
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
    const get = (path: string) => authed(`http://127.0.0.1:${api.port}/api/v1/${path}`);
    try {
      const range = 'from=2025-07-01&to=2025-07-02';
      const totals = async (groupBy: string) => {
        const res = await get(`consumption?${range}&group_by=${groupBy}`);
        expect(res.status).toBe(200);
        return ((await res.json()) as { totals: Total[] }).totals;
      };
      const byCode = await totals('item_code');
      // two days each: 01A00 (2000 + 700 + 500) × 2 = 6400; 01B00 (4000 + 1500 + 1200) × 2 = 13400;
      // 01C00 (1000 + 400 + 300) × 2 = 3400; 01D10 (900 + 240) × 2 = 2280;
      // other = mains (9000 + 3000 + 2500) × 2 = 29000 − 25480 = 3520
      expect(byCode.map((t) => [t.key, t.value, t.name, t.parent, t.subitem])).toEqual([
        ['01A00', 6400, '照明插座用电', '01000', 'lighting_socket'],
        ['01B00', 13400, '空调用电', '01000', 'hvac'],
        ['01C00', 3400, '动力用电', '01000', 'power'],
        ['01D10', 2280, '信息中心', '01D00', 'special'],
        ['other', 3520, '其他（未分项计量）', '01000', undefined],
      ]);
      const bySubitem = await totals('subitem');
      const rolled = Object.fromEntries(byCode.map((t) => [t.subitem ?? t.key, t.value]));
      expect(rolled).toEqual(Object.fromEntries(bySubitem.map((t) => [t.key, t.value])));
      expect(rolled).toEqual({ lighting_socket: 6400, hvac: 13400, power: 3400, special: 2280, other: 3520 });

      const report = (await (await get(`reports/intensity?${range}`)).json()) as {
        subitems: { key: string; item_code?: string; value: number | null }[];
        item_codes: { code: string; subitem: string | null; value: number | null }[];
      };
      expect(report.subitems.map((x) => [x.key, x.item_code, x.value])).toEqual(
        expect.arrayContaining([
          ['lighting_socket', '01A00', 6400],
          ['hvac', '01B00', 13400],
          ['power', '01C00', 3400],
          ['special', '01D00', 2280],
          ['other', undefined, 3520],
        ]),
      );
      const sums = new Map<string, number>();
      for (const x of report.item_codes)
        sums.set(x.subitem ?? x.code, (sums.get(x.subitem ?? x.code) ?? 0) + (x.value ?? 0));
      expect(Object.fromEntries(sums)).toEqual(
        Object.fromEntries(report.subitems.map((x) => [x.key, x.value])),
      );

      // the export labels by code: 分项 with its codes, and 分项编码 since 01D10 is below its sub-item
      const csv = await get(`reports/intensity?${range}&format=csv`);
      const files = unzipSync(new Uint8Array(await csv.arrayBuffer()));
      const named = (part: string) => {
        const key = Object.keys(files).find((f) => f.endsWith(`-${part}.csv`));
        return key ? strFromU8(files[key] ?? new Uint8Array()) : '';
      };
      expect(named('分项')).toContain('分项,分项编码,电量');
      expect(named('分项')).toContain('空调用电,01B00,13400');
      expect(named('分项编码')).toContain('01D10,信息中心,01D00,特殊用电,2280');

      // the site tree names every meter's code, derived where the site file has none
      const tree = (await (await get('site/tree')).json()) as {
        organization: {
          buildings: {
            meters: { id: string; item_code: string; item_name: string }[];
            areas: { meters: { id: string; item_code: string; item_name: string }[] }[];
          }[];
        };
      };
      const coded = tree.organization.buildings.flatMap((b) => [
        ...b.meters,
        ...b.areas.flatMap((a) => a.meters),
      ]);
      expect(coded.map((m) => [m.id, m.item_code, m.item_name])).toEqual(
        expect.arrayContaining([
          ['zonghe-main', '01000', '电'],
          ['zonghe-special', '01D10', '信息中心'],
          ['fuwu-gas', '03000', '燃气'],
        ]),
      );
      expect(coded).toHaveLength(site.config.meters.length);

      const bad = await get(`consumption?${range}&group_by=code`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { detail: string }).detail).toContain('item_code');
    } finally {
      await api.stop();
      await store.close();
    }
  });
});
