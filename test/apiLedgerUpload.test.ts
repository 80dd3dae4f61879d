import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

const header = 'building,period_start,period_end,energy_type,quantity,unit,source';
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

describe('POST /api/v1/entries/upload and /facts/upload: a CSV or XLSX file, as jieneng import reads it', () => {
  let h: ApiHarness;
  beforeAll(async () => {
    h = await startApiHarness();
  });
  afterAll(async () => {
    await h?.stop();
  });
  const upload = (kind: 'entries' | 'facts', name: string, content_base64: string, query = '') =>
    fetch(`${h.base}/api/v1/${kind}/upload${query}`, {
      method: 'POST',
      headers: { ...h.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ name, content_base64 }),
    });
  const entries = async () =>
    (await (await fetch(`${h.base}/api/v1/entries`, { headers: h.headers })).json()) as { source: string }[];

  it('takes nothing when one row is bad, and names the bad row by its row number', async () => {
    const csv = `${header}\nzonghe-lou,2024-01-01,2024-01-31,diesel,100,kg,一月加油卡\nnope,2024-02-01,2024-02-29,diesel,100,kg,二月加油卡\n`;
    const r = await upload('entries', '台账.csv', b64(csv));
    expect(r.status).toBe(422);
    const p = (await r.json()) as { problems: string[]; rows: { row: number | null; problems: string[] }[] };
    expect(p.rows).toHaveLength(1);
    expect(p.rows[0]?.row).toBe(3);
    expect(p.rows[0]?.problems[0]).toMatch(/台账\.csv 第 3 行.*nope/);
    expect((await entries()).some((e) => e.source === '一月加油卡')).toBe(false);
  });

  it('stores a GBK CSV and an XLSX, audited as the caller with the file name', async () => {
    const csv = iconv.encode(`${header}\nzonghe-lou,2024-03-01,2024-03-31,diesel,80,kg,三月加油卡\n`, 'gbk');
    const r = await upload('entries', '三月.csv', b64(csv));
    expect(r.status).toBe(201);
    const body = (await r.json()) as { imported: number; encoding: string };
    expect(body.imported).toBe(1);
    expect(body.encoding).toMatch(/UTF-8|GB18030/);
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('台账');
    sheet.addRow(header.split(','));
    sheet.addRow(['zonghe-lou', '2024-04-01', '2024-04-30', 'diesel', 70, 'kg', '四月加油卡']);
    const x = await upload('entries', '四月.xlsx', b64(new Uint8Array(await wb.xlsx.writeBuffer())));
    expect(x.status).toBe(201);
    expect((await entries()).map((e) => e.source)).toEqual(
      expect.arrayContaining(['三月加油卡', '四月加油卡']),
    );
    const audit = (await (await fetch(`${h.base}/api/v1/ledger/audit`, { headers: h.headers })).json()) as {
      action: string;
      detail: { origin: string };
    }[];
    expect(audit.at(-1)).toMatchObject({
      action: 'upload entries',
      detail: { origin: expect.stringMatching(/^api:.*:四月\.xlsx$/) },
    });
  });

  it('refuses a name that is not .csv or .xlsx, or one with folders (400)', async () => {
    expect((await upload('facts', '../x.csv', b64('a'))).status).toBe(400);
    expect((await upload('facts', 'x.txt', b64('a'))).status).toBe(400);
  });
});
