import { mkdirSync, mkdtempSync, readdirSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { strToU8, zipSync } from 'fflate';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSite } from '../core/config/loadSite.ts';
import { ImportError } from '../core/reports/port.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { createReports, sweepUploads } from '../reports/service.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

const header = 'building,period_start,period_end,energy_type,quantity,unit,source';
const b64 = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64');

/** A workbook of a header and one other cell, Z1048576: about 6 KB, 27 million cells by its extent. */
async function sparseBook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('台账');
  sheet.addRow(header.split(','));
  sheet.getCell('Z1048576').value = 1;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

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

  it('refuses at once a workbook whose other cell is Z1048576 (it froze the API and killed jieneng), and a zip bomb (422)', async () => {
    const sparse = await sparseBook();
    expect(sparse.length).toBeLessThan(10_000);
    const t = Date.now();
    const r = await upload('entries', 'sparse.xlsx', b64(sparse));
    expect(r.status).toBe(422);
    const p = (await r.json()) as { problems: string[]; rows: { row: number | null }[] };
    expect(p.problems[0]).toBe(`sparse.xlsx 第 1048576 行：有 26 列，应为 7 列（${header}）`);
    expect(p.rows.map((g) => g.row)).toEqual([1048576]);
    expect(Date.now() - t).toBeLessThan(5_000);
    // A sheet of 21 MB of spaces, 21 KB zipped: refused before exceljs opens it.
    const bomb = zipSync({
      'xl/worksheets/sheet1.xml': strToU8(`<worksheet>${' '.repeat(21 << 20)}</worksheet>`),
    });
    const b = await upload('entries', 'bomb.xlsx', b64(bomb));
    expect(b.status).toBe(422);
    expect(((await b.json()) as { problems: string[] }).problems).toEqual([
      'bomb.xlsx：其中的 xl/worksheets/sheet1.xml 解压后 21 MB，超过上限 20 MB；台账工作簿至多 10,000 行数据，请删去其他工作表、图片或分成几个文件',
    ]);
    expect((await fetch(`${h.base}/api/v1/health`)).status).toBeLessThan(500);
  });

  it('refuses a name with NUL, a newline or another control character (400), naming what is allowed', async () => {
    const csv = b64(`${header}\nzonghe-lou,2024-05-01,2024-05-31,diesel,60,kg,五月加油卡\n`);
    for (const name of [
      'a\u0000.csv',
      '五月.csv\napi:admin:forged.csv',
      'tab\t.csv',
      'del\u007f.xlsx',
      'evil\u202excsv.xlsx',
      'line\u2028.csv',
      'nel\u0085.csv',
      'lone\ud800.csv',
    ]) {
      const r = await upload('entries', name, csv);
      expect(r.status).toBe(400);
      const p = (await r.json()) as { detail: string };
      expect(p.detail).toMatch(
        /^name[:：] ?a file name without control or format characters \(U\+0000–U\+001F, U\+007F–U\+009F/,
      );
      expect(p.detail).not.toContain('jn-upload-');
    }
    expect((await entries()).some((e) => e.source === '五月加油卡')).toBe(false);
  });
});

describe('the reports service: upload folders', () => {
  it('sweeps folders older than an hour at start, and leaves none after a refused upload', async () => {
    const root = mkdtempSync(join(tmpdir(), 'jn-sweep-'));
    const stale = join(root, 'jn-upload-stale');
    const fresh = join(root, 'jn-upload-fresh');
    mkdirSync(stale);
    mkdirSync(fresh);
    mkdirSync(join(root, 'other-old'));
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(stale, old, old);
    utimesSync(join(root, 'other-old'), old, old);
    const site = loadSite(join(import.meta.dirname, '../examples/demo-site.yaml'));
    const store = new SqliteStore(join(root, 'jieneng.db'));
    await store.open();
    const reports = createReports({ site, store, ledgerFile: join(root, 'ledger.db'), uploadDir: root });
    expect(
      readdirSync(root)
        .filter((n) => !n.startsWith('jieneng.db'))
        .sort(),
    ).toEqual(['jn-upload-fresh', 'other-old']);
    const bytes = await sparseBook();
    const err = await reports
      .enterFile('entries', { name: 'a\u0000b.xlsx', bytes }, 'officer')
      .catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).problems[0]).toMatch(/^a_b\.xlsx 第 1048576 行：有 26 列/);
    expect(readdirSync(root).filter((n) => n.startsWith('jn-upload-'))).toEqual(['jn-upload-fresh']);
    expect(sweepUploads(root, Date.now() + 2 * 3_600_000)).toEqual([fresh]);
    await store.close();
  });
});
