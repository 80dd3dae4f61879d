import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRows } from '../api/routes/alarms.ts';
import { AlarmDb } from '../core/alarms/db.ts';
import type { Alarm } from '../core/alarms/model.ts';
import { JnError } from '../core/errors.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

/**
 * Issue 17, the alarms as a file an engineer opens in Excel: GET /api/v1/alarms?format=csv|xlsx,
 * the same filters as the list, every matching alarm (not the list's page of 200), columns in
 * Chinese, CSV in UTF-8 with a BOM, times the site's local time (Asia/Shanghai). The alarms are put
 * in the harness's alarms.db as the alarm service would (AlarmDb.observe).
 */
let h: ApiHarness;
let db: AlarmDb;
let viewer: Record<string, string>;
/** The harness's clock: 2025-09-29 17:30 (+08:00). */
const NOW = Date.parse('2025-09-29T17:30:00+08:00');
/** 2025-09-29 07:30 in Beijing: 23:30 UTC of the 28th — a UTC export would say the wrong day. */
const EARLY = Date.parse('2025-09-29T07:30:00+08:00');

let outOfRange: Alarm;
let stale: Alarm;
let closed: Alarm;

beforeAll(async () => {
  h = await startApiHarness();
  db = new AlarmDb(join(h.dir, 'alarms.db'), 'Asia/Shanghai');
  viewer = apiToken(h.dir, { role: 'viewer', name: 'export-viewer' }).headers;
  const observe = (c: Parameters<AlarmDb['observe']>[0], now: number, severity: Alarm['severity']) =>
    db.observe(c, { now, severity, holdOffMs: 0 })[0]?.alarm.id ?? 0;
  const at = new Date(EARLY).toISOString();
  const oor = observe(
    {
      rule: 'out_of_range',
      key: 'export-hvac/power_factor',
      active: true,
      at,
      message: 'export-hvac power factor 0.62, below the 0.85 limit',
      message_zh: 'export-hvac 功率因数 0.62，低于下限 0.85, "引号"与逗号',
      building: 'zonghe-lou',
      device: 'export-hvac',
      point: 'power_factor',
      value: 0.62,
    },
    EARLY,
    'critical',
  );
  db.acknowledge(oor, '王工', '已到现场', EARLY + 600_000);
  const st = observe(
    {
      rule: 'stale',
      key: 'export-water',
      active: true,
      at,
      message: 'export-water has sent no new reading for 2 h',
      message_zh: 'export-water 已 2 小时没有新读数',
      building: 'fuwu-lou',
      device: 'export-water',
    },
    NOW - 3_600_000,
    'major',
  );
  const done = observe(
    {
      rule: 'comm_errors',
      key: 'export-port',
      active: true,
      at,
      message: 'export-port: 12 % of reads fail',
      message_zh: 'export-port：12% 的读取失败',
    },
    NOW - 7_200_000,
    'minor',
  );
  db.observe(
    { rule: 'comm_errors', key: 'export-port', active: false, at, message: 'ok', message_zh: '已恢复' },
    { now: NOW - 5_400_000, severity: 'minor', holdOffMs: 0 },
  );
  db.closeAlarm(done, '王工', '通信已恢复', NOW - 5_000_000);
  outOfRange = db.get(oor) as Alarm;
  stale = db.get(st) as Alarm;
  closed = db.get(done) as Alarm;
});
afterAll(async () => {
  db?.close();
  await h?.stop();
});

const get = (query: string, headers: Record<string, string> = viewer) =>
  fetch(`${h.base}/api/v1/alarms?${query}`, { headers });

/** The CSV's rows as objects by its (Chinese) headers, and the raw text. */
async function csv(
  query: string,
): Promise<{ text: string; bytes: Uint8Array; rows: Record<string, string>[] }> {
  const r = await get(query);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  const bytes = new Uint8Array(await r.arrayBuffer());
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  const rows = parse(text.replace(/^\uFEFF/, ''), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return { text, bytes, rows };
}

async function xlsx(query: string): Promise<{ headers: string[]; rows: Map<string, ExcelJS.CellValue>[] }> {
  const r = await get(query);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toBe(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  );
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await r.arrayBuffer());
  const ws = wb.getWorksheet('报警');
  if (!ws) throw new Error(`no sheet 报警 in ${wb.worksheets.map((w) => w.name).join(', ')}`);
  const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
  const rows: Map<string, ExcelJS.CellValue>[] = [];
  ws.eachRow((row, n) => {
    if (n === 1) return;
    rows.push(new Map(headers.map((hd, i) => [hd, row.getCell(i + 1).value])));
  });
  return { headers, rows };
}

describe('GET /api/v1/alarms?format=csv', () => {
  it('is UTF-8 with a BOM, Chinese headers, one row per alarm with the page’s Chinese names and local times', async () => {
    const { bytes, text, rows } = await csv('format=csv&status=all');
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(text.split('\r\n')[0]?.replace(/^\uFEFF/, '')).toBe(
      '编号,级别,规则,处理状态,报警状态,建筑,设备/点位,说明,数值,发生时间（Asia/Shanghai）,最近发生时间（Asia/Shanghai）,次数,影响对象数,恢复时间（Asia/Shanghai）,确认人,确认时间（Asia/Shanghai）,确认说明,关闭人,关闭时间（Asia/Shanghai）,搁置至（Asia/Shanghai）,搁置人,搁置原因',
    );
    const row = rows.find((r) => r.编号 === String(outOfRange.id));
    expect(row).toMatchObject({
      级别: '紧急',
      规则: '数值越限',
      处理状态: '处理中',
      报警状态: '持续中',
      建筑: '综合办公楼',
      '设备/点位': 'export-hvac/power_factor',
      // Quotes and commas survive the quoting.
      说明: 'export-hvac 功率因数 0.62，低于下限 0.85, "引号"与逗号',
      数值: '0.62',
      // 07:30 in Beijing, not 23:30 of the day before (UTC).
      '发生时间（Asia/Shanghai）': '2025-09-29 07:30:00',
      '确认时间（Asia/Shanghai）': '2025-09-29 07:40:00',
      确认人: '王工',
      确认说明: '已到现场',
      '恢复时间（Asia/Shanghai）': '',
    });
    const done = rows.find((r) => r.编号 === String(closed.id));
    expect(done).toMatchObject({
      级别: '次要',
      规则: '通信错误',
      处理状态: '已处理',
      报警状态: '已关闭',
      建筑: '',
      '恢复时间（Asia/Shanghai）': '2025-09-29 16:00:00',
      '关闭时间（Asia/Shanghai）': '2025-09-29 16:06:40',
      关闭人: '王工',
    });
    // Newest first, as the list.
    const ids = rows.map((r) => Number(r.编号));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('takes the list’s filters: list, rule, building, severity, local dates', async () => {
    const ids = async (q: string) => (await csv(`format=csv&${q}`)).rows.map((r) => Number(r.编号));
    expect(await ids('list=in_progress')).toContain(outOfRange.id);
    expect(await ids('list=in_progress')).not.toContain(stale.id);
    expect(await ids('list=pending')).toContain(stale.id);
    expect(await ids('list=done')).toEqual(expect.arrayContaining([closed.id]));
    expect(await ids('list=done')).not.toContain(stale.id);
    expect(await ids('rule=stale')).toEqual([stale.id]);
    expect(await ids('building=fuwu-lou&rule=stale')).toEqual([stale.id]);
    expect(await ids('building=zonghe-lou&rule=stale')).toEqual([]);
    expect(await ids('severity=critical&rule=out_of_range')).toEqual([outOfRange.id]);
    // Local dates: the 07:30 alarm is the 29th's, not the 28th's.
    expect(await ids('rule=out_of_range&from=2025-09-29&to=2025-09-29')).toEqual([outOfRange.id]);
    expect(await ids('rule=out_of_range&to=2025-09-28')).toEqual([]);
    // An empty match is a file with its header row only.
    const empty = await csv('format=csv&rule=meter_jump');
    expect(empty.rows).toEqual([]);
    expect(empty.text.startsWith('\uFEFF编号,级别,规则')).toBe(true);
  });

  it('holds every matching alarm, not the list’s page of 200; limit only when given', async () => {
    const many = 1_205;
    for (let i = 0; i < many; i++)
      db.observe(
        {
          rule: 'meter_jump',
          key: `bulk-meter-${i}`,
          active: true,
          at: new Date(NOW).toISOString(),
          message: `bulk ${i}`,
          message_zh: `批量 ${i}`,
        },
        { now: NOW - 60_000, severity: 'warning', holdOffMs: 0 },
      );
    const json = (await (await get('rule=meter_jump')).json()) as { alarms: Alarm[] };
    expect(json.alarms).toHaveLength(200);
    expect((await csv('format=csv&rule=meter_jump')).rows).toHaveLength(many);
    expect((await csv('format=csv&rule=meter_jump&limit=5')).rows).toHaveLength(5);
  });

  it('names the file after the list and the local date', async () => {
    const r = await get('format=csv&list=pending');
    expect(r.status).toBe(200);
    const disposition = r.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment;/);
    expect(decodeURIComponent(/filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1] ?? '')).toBe(
      '报警-待处理-2025-09-29.csv',
    );
    await r.arrayBuffer();
  });
});

describe('GET /api/v1/alarms?format=xlsx', () => {
  it('is one sheet 报警 with Chinese headers, Excel date-times of the local clock and numbers as numbers', async () => {
    const { headers, rows } = await xlsx('format=xlsx&status=all');
    expect(headers.slice(0, 10)).toEqual([
      '编号',
      '级别',
      '规则',
      '处理状态',
      '报警状态',
      '建筑',
      '设备/点位',
      '说明',
      '数值',
      '发生时间（Asia/Shanghai）',
    ]);
    const row = rows.find((r) => r.get('编号') === outOfRange.id);
    if (!row) throw new Error(`alarm ${outOfRange.id} is not in the workbook`);
    expect(row.get('级别')).toBe('紧急');
    expect(row.get('规则')).toBe('数值越限');
    expect(row.get('建筑')).toBe('综合办公楼');
    expect(row.get('数值')).toBe(0.62);
    // Excel has no zones: the cell is the Beijing wall clock (07:30), which Excel shows as it is.
    const raised = row.get('发生时间（Asia/Shanghai）');
    expect(raised).toBeInstanceOf(Date);
    expect((raised as Date).toISOString()).toBe('2025-09-29T07:30:00.000Z');
    expect(row.get('恢复时间（Asia/Shanghai）')).toBeNull();
  });

  it('takes the same filters', async () => {
    const { rows } = await xlsx('format=xlsx&building=fuwu-lou&rule=stale');
    expect(rows.map((r) => r.get('编号'))).toEqual([stale.id]);
    expect(rows[0]?.get('建筑')).toBe('服务楼（食堂）');
  });
});

describe('a bad format', () => {
  it('is a 400 that says what is allowed, in both languages', async () => {
    const en = await get('format=pdf', { ...viewer, 'accept-language': 'en' });
    expect(en.status).toBe(400);
    expect(en.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await en.json()) as { detail: string; code: string };
    expect(body.code).toBe('bad_request');
    expect(body.detail).toMatch(/^format: "pdf" is not allowed; allowed: json \(default\), csv .*, xlsx/);
    const zh = (await (await get('format=xls')).json()) as { detail: string };
    expect(zh.detail).toMatch(/^format："xls" 不允许；允许：json \(default\), csv/);
  });
});

describe('the rows of an export', () => {
  it('pages through the DB until the filters match no more, and refuses more than the cap with what to narrow', () => {
    // The 1 205 meter_jump alarms of the test before: two pages of 1000 and one of 205.
    const rows = exportRows(db, { status: 'all', rule: 'meter_jump' }, undefined);
    expect(rows.length).toBe(1_205);
    expect(new Set(rows.map((a) => a.id)).size).toBe(rows.length);
    expect(exportRows(db, { status: 'all', rule: 'meter_jump' }, 1_001)).toHaveLength(1_001);
    // At the cap exactly: a file; one more: a 400 naming the cap and what to narrow by.
    expect(exportRows(db, { status: 'all', rule: 'meter_jump' }, undefined, 1_205)).toHaveLength(1_205);
    let refusal: unknown;
    try {
      exportRows(db, { status: 'all', rule: 'meter_jump' }, undefined, 1_204);
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(JnError);
    expect((refusal as JnError).message).toBe(
      'more than 1204 alarms match; allowed: at most 1204 in one file — narrow it with from/to, rule, severity or building, or give limit',
    );
  });
});
