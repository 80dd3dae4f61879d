import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { demoSite } from '../../cli/context.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { ImportError, Ledger } from './ledger.ts';

/**
 * The ledger checks what goes in like money (issue 14 §3): one schema per row kind for CSV, XLSX
 * and JSON alike, overlapping periods refused (or replaced on request, audited), encodings
 * detected, Chinese headers and energy-type names read, litres of fuel converted by density.
 */
const site = loadSite(demoSite).config;
const now = new Date('2026-01-05T02:00:00Z');
const HEAD = 'building,period_start,period_end,energy_type,quantity,unit,source';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'jn-ledger-'));
  const ledger = new Ledger(join(dir, 'ledger.db'));
  const csv = (name: string, text: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  return { dir, ledger, csv };
}

/** The problems an import threw, or [] when it was stored. */
async function problemsOf(p: Promise<unknown> | (() => unknown)): Promise<string[]> {
  try {
    await (typeof p === 'function' ? p() : p);
    return [];
  } catch (err) {
    if (err instanceof ImportError) return err.problems;
    throw err;
  }
}

async function xlsx(file: string, header: string[], rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('data');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(file);
  return file;
}

const months = (year: number, kwh: number) =>
  Array.from({ length: 12 }, (_, m) => {
    const last = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    const mm = String(m + 1).padStart(2, '0');
    return `zonghe-lou,${year}-${mm}-01,${year}-${mm}-${last},electricity,${kwh},kWh,${year}年${m + 1}月电费单`;
  }).join('\n');

describe('overlapping periods', () => {
  it('refuses an annual bill over stored monthly bills, naming both; --replace replaces them, audited', async () => {
    const { ledger, csv } = setup();
    // 12 months × 100,000 kWh = 1,200,000 kWh for 2025
    await ledger.importFile('entries', csv('months.csv', `${HEAD}\n${months(2025, 100_000)}\n`), site, now);
    const annual = csv(
      'annual.csv',
      `${HEAD}\nzonghe-lou,2025-01-01,2025-12-31,electricity,1200000,kWh,2025年年度电费汇总\n`,
    );
    const refused = await problemsOf(ledger.importFile('entries', annual, site, now));
    expect(refused).toHaveLength(12);
    expect(refused[0]).toBe(
      'annual.csv: row 2: zonghe-lou electricity 2025-01-01 至 2025-12-31 overlaps the stored entry 2025-01-01 至 2025-01-31 (100000 kWh, source "2025年1月电费单", imported from months.csv at 2026-01-05T02:00:00.000Z); periods of one building and energy type may not overlap — import with --replace to replace the stored entry, or correct the file',
    );
    // Nothing changed: still the twelve months, 1,200,000 kWh, never 2,400,000
    expect(ledger.entries().reduce((s, e) => s + e.quantity, 0)).toBe(1_200_000);

    const r = await ledger.importFile('entries', annual, site, now, { replace: true });
    expect(r).toMatchObject({ imported: 1, replaced: 12, identical: 0 });
    expect(ledger.entries().map((e) => [e.period_start, e.period_end, e.quantity])).toEqual([
      ['2025-01-01', '2025-12-31', 1_200_000],
    ]);
    const audit = ledger.auditLog().at(-1)?.detail as {
      replacements: { old: { source: string }; by: { source: string }[] }[];
    };
    expect(audit.replacements).toHaveLength(12);
    expect(audit.replacements[1]).toMatchObject({
      old: {
        period_start: '2025-02-01',
        period_end: '2025-02-28',
        quantity: 100_000,
        source: '2025年2月电费单',
        source_file: 'months.csv',
      },
      by: [
        {
          period_start: '2025-01-01',
          period_end: '2025-12-31',
          quantity: 1_200_000,
          source: '2025年年度电费汇总',
        },
      ],
    });
  });

  it('names both halves that replace one stored annual entry', async () => {
    const { ledger, csv } = setup();
    await ledger.importFile(
      'entries',
      csv('y.csv', `${HEAD}\nzonghe-lou,2020-01-01,2020-12-31,water,21000,m³,2020年水费\n`),
      site,
      now,
    );
    const halves = csv(
      'h.csv',
      `${HEAD}\nzonghe-lou,2020-01-01,2020-06-30,water,10000,m³,上半年水费\nzonghe-lou,2020-07-01,2020-12-31,water,11000,m³,下半年水费\n`,
    );
    const r = await ledger.importFile('entries', halves, site, now, { replace: true });
    expect(
      r.replacements.map((x) => [x.old.source_file, x.by.map((b) => ('source' in b ? b.source : ''))]),
    ).toEqual([['y.csv', ['上半年水费', '下半年水费']]]);
    // 10,000 + 11,000 = 21,000 m³, the year once
    expect(ledger.entries().reduce((s, e) => s + e.quantity, 0)).toBe(21_000);
  });

  it('refuses an annual and a monthly bill in one file, and a duplicate row, naming both rows', async () => {
    const { ledger, csv } = setup();
    const file = csv(
      'both.csv',
      `${HEAD}\nzonghe-lou,2025-01-01,2025-12-31,electricity,1200000,kWh,年度\n` +
        'zonghe-lou,2025-03-01,2025-03-31,electricity,100000,kWh,3月\n' +
        'fuwu-lou,2025-03-01,2025-03-31,water,900,m³,3月水费\n' +
        'fuwu-lou,2025-03-01,2025-03-31,water,900,m³,3月水费\n',
    );
    expect(await problemsOf(ledger.importFile('entries', file, site, now, { replace: true }))).toEqual([
      'both.csv: row 5: fuwu-lou water 2025-03-01 至 2025-03-31 is a duplicate of both.csv: row 4 (the same building, energy type and period); keep one',
      'both.csv: row 3: zonghe-lou electricity 2025-03-01 至 2025-03-31 overlaps both.csv: row 2 (2025-01-01 至 2025-12-31); periods of one building and energy type may not overlap — keep the annual bill or the monthly ones, not both',
    ]);
    expect(ledger.entries()).toEqual([]);
  });

  it('takes the same file twice as one import of it (identical rows), not as an overlap', async () => {
    const { ledger, csv } = setup();
    const file = csv('m.csv', `${HEAD}\n${months(2020, 50_000)}\n`);
    await ledger.importFile('entries', file, site, now);
    expect(await ledger.importFile('entries', file, site, now)).toMatchObject({
      imported: 12,
      replaced: 12,
      identical: 12,
    });
    // 12 × 50,000 = 600,000 kWh, not doubled
    expect(ledger.entries().reduce((s, e) => s + e.quantity, 0)).toBe(600_000);
  });

  it('refuses a changed fact for a stored date unless replaced, and a date twice in one file', async () => {
    const { ledger, csv } = setup();
    const head = 'building,effective_from,floor_area_m2,headcount\n';
    await ledger.importFile('facts', csv('f.csv', `${head}zonghe-lou,2025-01-01,18600,420\n`), site, now);
    const changed = csv('g.csv', `${head}zonghe-lou,2025-01-01,18600,430\n`);
    expect((await problemsOf(ledger.importFile('facts', changed, site, now)))[0]).toContain(
      'g.csv: row 2: zonghe-lou from 2025-01-01 is stored as 18600 m², 420 people (imported from f.csv',
    );
    const r = await ledger.importFile('facts', changed, site, now, { replace: true });
    expect(r.replacements).toEqual([
      { old: expect.objectContaining({ headcount: 420 }), by: [expect.objectContaining({ headcount: 430 })] },
    ]);
    const twice = csv('h.csv', `${head}fuwu-lou,2025-01-01,9400,80\nfuwu-lou,2025-01-01,9400,81\n`);
    expect(await problemsOf(ledger.importFile('facts', twice, site, now))).toEqual([
      'h.csv: row 3: fuwu-lou from 2025-01-01 is given twice (also h.csv: row 2); keep one',
    ]);
  });
});

describe('plausibility, the same through CSV, XLSX and JSON', () => {
  const factHead = ['building', 'effective_from', 'floor_area_m2', 'headcount'];
  const bad = [
    ['zonghe-lou', '2025-01-01', 1e308, 420],
    ['fuwu-lou', '2025-01-01', 9400, 1.5],
    ['dangan-lou', '2025-01-01', 3000, 0],
  ];
  const expected = (at: (row: number, col: string) => string) => [
    `${at(0, 'floor_area_m2')}: "1e+308": a floor area in m², greater than 0 and at most 1e7 (10 million m², more than any compound has)`,
    `${at(1, 'headcount')}: "1.5": a whole number of people, 1 to 1e6 (the site file requires a positive headcount)`,
    `${at(2, 'headcount')}: "0": a whole number of people, 1 to 1e6 (the site file requires a positive headcount)`,
  ];

  it('refuses floor area 1e308 m², headcount 1.5 and 0 alike', async () => {
    const { ledger, csv, dir } = setup();
    const text = `${factHead.join(',')}\n${bad.map((r) => r.join(',')).join('\n')}\n`;
    expect(await problemsOf(ledger.importFile('facts', csv('f.csv', text), site, now))).toEqual(
      expected((i, c) => `f.csv: row ${i + 2}, column ${c}`),
    );
    const book = await xlsx(
      join(dir, 'f.xlsx'),
      factHead,
      bad.map((r) => [r[0], new Date(`${r[1]}T00:00:00Z`), r[2], r[3]]),
    );
    expect(await problemsOf(ledger.importFile('facts', book, site, now))).toEqual(
      expected((i, c) => `f.xlsx: row ${i + 2}, column ${c}`),
    );
    const json = bad.map((r) => Object.fromEntries(factHead.map((c, k) => [c, r[k]])));
    expect(await problemsOf(() => ledger.enter('facts', json, 'officer', site, now))).toEqual(
      expected((i, c) => `facts[${i}].${c}`),
    );
    expect(ledger.facts()).toEqual([]);
  });

  it('refuses 1e300 kWh, saying the bound', async () => {
    const { ledger, csv, dir } = setup();
    const want = (at: string, shown: string) =>
      `${at}: "${shown}": 1e+300 kWh is more than one entry may hold: at most 1e+9 kWh (about 100 times a large compound's yearly use); check the unit and the exponent`;
    const file = csv('e.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,1e300,kWh,bill\n`);
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      want('e.csv: row 2, column quantity', '1e300'),
    ]);
    const book = await xlsx(join(dir, 'e.xlsx'), HEAD.split(','), [
      ['zonghe-lou', '2025-01-01', '2025-01-31', 'electricity', 1e300, 'kWh', 'bill'],
    ]);
    expect(await problemsOf(ledger.importFile('entries', book, site, now))).toEqual([
      want('e.xlsx: row 2, column quantity', '1e+300'),
    ]);
    const item = {
      building: 'zonghe-lou',
      period_start: '2025-01-01',
      period_end: '2025-01-31',
      energy_type: 'electricity',
      quantity: 1e300,
      unit: 'kWh',
      source: 'bill',
    };
    expect(await problemsOf(() => ledger.enter('entries', [item], 'officer', site, now))).toEqual([
      want('entries[0].quantity', '1e+300'),
    ]);
    expect(ledger.entries()).toEqual([]);
  });

  it('refuses impossible dates and unknown keys from the API', async () => {
    const { ledger } = setup();
    const item = {
      building: 'zonghe-lou',
      period_start: '2025-02-01',
      period_end: '2025-02-30',
      energy_type: '电',
      quantity: 1,
      unit: 'kWh',
      source: 'x',
      kwh: 1,
    };
    expect(await problemsOf(() => ledger.enter('entries', [item], 'officer', site, now))).toEqual([
      'entries[0].period_end: "2025-02-30": write a date as YYYY-MM-DD (a day that exists: 2025-02-30 is not one)',
      'entries[0]: unknown key(s) kwh; allowed: building, period_start, period_end, energy_type, quantity, unit, source, cost_yuan',
    ]);
  });
});

describe('what officers write', () => {
  it('reads a GBK CSV with Chinese headers and names, its Chinese source intact, and says so', async () => {
    const { ledger, csv } = setup();
    const text =
      '建筑,开始日期,结束日期,能源品种,用量,单位,数据来源,费用(元)\r\n' +
      '综合办公楼,2025/1/1,2025/1/31,电力,"1,500,000",千瓦时,2025年1月国网电费单,"1，200，000"\r\n' +
      'fuwu-lou,2025-01-01,2025-01-31,天然气,3200,立方米,华润燃气1月账单,\r\n';
    const file = csv('gbk.csv', iconv.encode(text, 'gbk'));
    const r = await ledger.importFile('entries', file, site, now);
    expect(r.encoding).toBe('GB18030 (GBK)');
    expect(r.notes).toEqual([
      'gbk.csv: row 2, column 用量 (quantity): "1,500,000" read as 1500000 (thousands separators)',
      'gbk.csv: row 2, column 费用(元) (cost_yuan): "1，200，000" read as 1200000 (thousands separators)',
    ]);
    expect(ledger.entries()).toEqual([
      {
        building: 'fuwu-lou',
        period_start: '2025-01-01',
        period_end: '2025-01-31',
        energy_type: 'natural_gas',
        quantity: 3200,
        quantity_given: 3200,
        unit_given: 'm³',
        source: '华润燃气1月账单',
        cost_yuan: null,
      },
      {
        building: 'zonghe-lou',
        period_start: '2025-01-01',
        period_end: '2025-01-31',
        energy_type: 'electricity',
        quantity: 1_500_000,
        quantity_given: 1_500_000,
        unit_given: 'kWh',
        source: '2025年1月国网电费单',
        cost_yuan: 1_200_000,
      },
    ]);
    expect(JSON.stringify(ledger.entries())).not.toContain('\uFFFD');
  });

  it('refuses a file that is neither UTF-8 nor GB18030, and any cell holding U+FFFD', async () => {
    const { ledger, csv } = setup();
    // 0x80 alone is invalid in both; 0xFF 0x00 too
    const junk = csv(
      'junk.csv',
      Buffer.concat([Buffer.from(`${HEAD}\n`), Buffer.from([0x80, 0xff, 0x00, 0x0a])]),
    );
    expect(await problemsOf(ledger.importFile('entries', junk, site, now))).toEqual([
      'junk.csv: not readable as UTF-8 nor as GB18030 (GBK) text; save it in Excel as "CSV UTF-8 (逗号分隔)" (or as XLSX) and import it again',
    ]);
    const lost = csv(
      'lost.csv',
      `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,1,kWh,2025年\uFFFD\uFFFD费单\n`,
    );
    expect(await problemsOf(ledger.importFile('entries', lost, site, now))).toEqual([
      'lost.csv: row 2, column source: "2025年\uFFFD\uFFFD费单": holds U+FFFD (\uFFFD), a character lost when the file was decoded; save it as CSV UTF-8 in Excel (or XLSX) and import it again',
    ]);
  });

  it('converts litres of gasoline and diesel by density and returns the conversion', async () => {
    const { ledger, csv } = setup();
    const file = csv(
      'fuel.csv',
      `${HEAD},cost_yuan\nzonghe-lou,2025-01-01,2025-03-31,汽油,1200,升,公务用车加油记录 Q1,9360\nzonghe-lou,2025-01-01,2025-03-31,diesel,500,L,发电机柴油,\n`,
    );
    await ledger.importFile('entries', file, site, now);
    const [diesel, gasoline] = ledger.entries();
    // 1,200 L × 0.73 kg/L = 876 kg; 500 L × 0.84 kg/L = 420 kg (reports/data/densities.yaml)
    expect(gasoline).toMatchObject({ quantity: 876, quantity_given: 1200, unit_given: 'L', cost_yuan: 9360 });
    expect(gasoline?.conversion).toBe(
      '1200 L × 0.73 kg/L = 876 kg (gasoline density: GB 17930-2016 车用汽油: 密度(20 ℃) 720–775 kg/m³; 0.73 kg/L, a value commonly used for 92# gasoline, 未核对 unverified)',
    );
    expect(diesel).toMatchObject({ quantity: 420, unit_given: 'L' });
    // litres are for liquid fuels only
    const gas = csv('gas.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-03-31,natural_gas,10,L,x\n`);
    expect(await problemsOf(ledger.importFile('entries', gas, site, now))).toEqual([
      'gas.csv: row 2, column unit: "L": natural_gas is entered in m³ or m3',
    ]);
  });

  it('refuses a number with a decimal comma, with the hint', async () => {
    const { ledger, csv } = setup();
    const file = csv('c.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-01-31,electricity,"1,5",kWh,x\n`);
    expect(await problemsOf(ledger.importFile('entries', file, site, now))).toEqual([
      'c.csv: row 2, column quantity: "1,5": a number, 0 or more; write it without separators or with thousands separators in groups of three (1500000 or 1,500,000), and a decimal point, not a comma',
    ]);
  });

  it('opens a ledger written before cost and conversion were kept', async () => {
    const { dir } = setup();
    const file = join(dir, 'old.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE entries (building TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
      energy_type TEXT NOT NULL, quantity REAL NOT NULL, quantity_given REAL NOT NULL, unit_given TEXT NOT NULL,
      source TEXT NOT NULL, source_file TEXT NOT NULL, imported_at TEXT NOT NULL,
      PRIMARY KEY (building, energy_type, period_start, period_end));
      INSERT INTO entries VALUES ('zonghe-lou','2020-01-01','2020-12-31','electricity',400000,400,'MWh','2020年电费单','a.csv','2021-01-01');`);
    db.close();
    const ledger = new Ledger(file);
    expect(ledger.entries()).toEqual([
      expect.objectContaining({ quantity: 400_000, quantity_given: 400, unit_given: 'MWh', cost_yuan: null }),
    ]);
    ledger.close();
  });
});
