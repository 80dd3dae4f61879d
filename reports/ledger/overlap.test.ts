import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from './ledger.ts';
import { HEAD, months, now, problemsOf, setup, site } from './testSupport.ts';

/**
 * Entries of one building and energy type never overlap (issue 14 §3: an annual bill beside the
 * monthly ones gave 2,400,000 kWh for 1,200,000): refused with both rows named, or replaced on
 * request with the audit keeping what was replaced by what; a duplicate row is an error.
 */
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
    const stored = (m: number, last: number) => {
      const mm = String(m).padStart(2, '0');
      return `2025-${mm}-01 至 2025-${mm}-${last}（100000 kWh，来源"2025年${m}月电费单"，2026-01-05 10:00 +08:00 自 months.csv 导入）`; // now = 02:00 UTC, shown local
    };
    expect(refused).toEqual([
      `annual.csv 第 2 行：zonghe-lou electricity 2025-01-01 至 2025-12-31 与已存的 12 条记录 ${stored(1, 31)}；${stored(2, 28)}；${stored(3, 31)}；另有 9 条：2025-04-01 至 2025-04-30、2025-05-01 至 2025-05-31、2025-06-01 至 2025-06-30、2025-07-01 至 2025-07-31、2025-08-01 至 2025-08-31、2025-09-01 至 2025-09-30、2025-10-01 至 2025-10-31、2025-11-01 至 2025-11-30、2025-12-01 至 2025-12-31 重叠；同一建筑同一能源的期间不得重叠——请改正文件，或用 --replace 导入以替换所重叠的记录`,
    ]);
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

  it('checks every valid row for overlaps while other rows have problems: all of them in one round', async () => {
    const { ledger, csv } = setup();
    await ledger.importFile('entries', csv('months.csv', `${HEAD}\n${months(2025, 100_000)}\n`), site, now);
    const file = csv(
      'mixed.csv',
      `${HEAD}\nzonghe-lou,2025-02-30,2025-03-31,water,900,m³,3月水费\n` +
        'zonghe-lou,2025-01-01,2025-12-31,electricity,1200000,kWh,年度\n' +
        'fuwu-lou,2025-03-01,2025-03-31,water,900,m³,3月水费\n' +
        'fuwu-lou,2025-03-01,2025-03-31,water,900,m³,3月水费\n',
    );
    const problems = await problemsOf(ledger.importFile('entries', file, site, now));
    // Row 2's date, row 5 repeating row 4, row 3 over the twelve stored months: three, not one
    expect(problems.map((p) => p.slice(0, p.indexOf('：')))).toEqual([
      'mixed.csv 第 2 行，period_start 列',
      'mixed.csv 第 5 行',
      'mixed.csv 第 3 行',
    ]);
    expect(problems[0]).toContain('不是有效日期（2025 年 2 月只有 28 天）');
    expect(problems[2]).toContain('与已存的 12 条记录');
    expect(ledger.entries()).toHaveLength(12);
    const head = 'building,effective_from,floor_area_m2,headcount\n';
    await ledger.importFile('facts', csv('f.csv', `${head}zonghe-lou,2025-01-01,18600,420\n`), site, now);
    const facts = csv('g.csv', `${head}fuwu-lou,2025-01-01,9400,0\nzonghe-lou,2025-01-01,18600,430\n`);
    expect(
      (await problemsOf(ledger.importFile('facts', facts, site, now))).map((p) => p.slice(0, 17)),
    ).toEqual(['g.csv 第 2 行，headc', 'g.csv 第 3 行：zongh']);
  });

  it('stores and shows import times local with the offset of the site, never UTC', async () => {
    const { ledger, csv, dir } = setup();
    // A site in Ürümqi time (UTC+6) to show the zone is the site's: 02:00 UTC is 08:00 there.
    const west = { ...site, site: { ...site.site, timezone: 'Asia/Urumqi' } };
    const head = 'building,effective_from,floor_area_m2,headcount\n';
    await ledger.importFile('facts', csv('f.csv', `${head}zonghe-lou,2025-01-01,18600,420\n`), west, now);
    await ledger.importFile('entries', csv('m.csv', `${HEAD}\n${months(2025, 1)}\n`), west, now);
    const annual = csv('y.csv', `${HEAD}\nzonghe-lou,2025-01-01,2025-12-31,electricity,12,kWh,年度\n`);
    const [overlap] = await problemsOf(ledger.importFile('entries', annual, west, now));
    expect(overlap).toContain('2026-01-05 08:00 +06:00 自 m.csv 导入）');
    const changed = csv('g.csv', `${head}zonghe-lou,2025-01-01,18600,430\n`);
    expect((await problemsOf(ledger.importFile('facts', changed, site, now)))[0]).toContain(
      '（2026-01-05 10:00 +08:00 自 f.csv 导入）',
    );
    await ledger.importFile('entries', annual, west, new Date('2026-01-05T20:30:00Z'), { replace: true });
    const log = ledger.auditLog();
    expect(log.map((a) => a.at)).toEqual([
      '2026-01-05T08:00:00.000+06:00',
      '2026-01-05T08:00:00.000+06:00',
      '2026-01-06T02:30:00.000+06:00', // 20:30 UTC is the next local day
    ]);
    const replaced = log[2]?.detail as { replacements: { old: { imported_at: string } }[] };
    expect(replaced.replacements[0]?.old.imported_at).toBe('2026-01-05T08:00:00.000+06:00');
    ledger.close();
    // A line stored in UTC before times were stored local reads local when the zone is given.
    const db = new Database(join(dir, 'ledger.db'));
    db.prepare("UPDATE audit SET at = '2026-12-01T23:58:51.066Z' WHERE id = 1").run();
    db.close();
    const again = new Ledger(join(dir, 'ledger.db'));
    expect(again.auditLog('Asia/Shanghai')[0]?.at).toBe('2026-12-02T07:58:51.066+08:00');
    expect(again.auditLog('Asia/Shanghai')[2]?.at).toBe('2026-01-06T04:30:00.000+08:00');
    again.close();
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
      'both.csv 第 5 行：fuwu-lou water 2025-03-01 至 2025-03-31 与 both.csv 第 4 行 重复（建筑、能源类型和期间相同）；请只保留一条',
      'both.csv 第 3 行：zonghe-lou electricity 2025-03-01 至 2025-03-31 与 both.csv 第 2 行（2025-01-01 至 2025-12-31）重叠；同一建筑同一能源的期间不得重叠——年度账单与月度账单只保留一种',
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
      'g.csv 第 2 行：zonghe-lou 自 2025-01-01 起已存为 18600 m²、420 人（2026-01-05 10:00 +08:00 自 f.csv 导入）',
    );
    const r = await ledger.importFile('facts', changed, site, now, { replace: true });
    expect(r.replacements).toEqual([
      { old: expect.objectContaining({ headcount: 420 }), by: [expect.objectContaining({ headcount: 430 })] },
    ]);
    const twice = csv('h.csv', `${head}fuwu-lou,2025-01-01,9400,80\nfuwu-lou,2025-01-01,9400,81\n`);
    expect(await problemsOf(ledger.importFile('facts', twice, site, now))).toEqual([
      'h.csv 第 3 行：fuwu-lou 自 2025-01-01 起的数据重复（另见 h.csv 第 2 行）；请只保留一条',
    ]);
  });
});

describe('whatever is imported, stored periods never overlap', () => {
  it('holds for random files imported one after another, refused or replacing', async () => {
    const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString().slice(0, 10);
    // A period of 1–60 days starting within 2025's first 120 days, for one of two buildings.
    const period = fc.record({
      building: fc.constantFrom('zonghe-lou', 'fuwu-lou'),
      start: fc.integer({ min: 0, max: 120 }),
      days: fc.integer({ min: 1, max: 60 }),
      kwh: fc.integer({ min: 0, max: 1_000_000 }),
    });
    const file = fc.record({ rows: fc.array(period, { minLength: 1, maxLength: 5 }), replace: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 6 }), async (files) => {
        const { ledger, csv } = setup();
        for (const [k, f] of files.entries()) {
          const lines = f.rows.map(
            (r) =>
              `${r.building},${day(r.start)},${day(r.start + r.days - 1)},electricity,${r.kwh},kWh,bill ${k}`,
          );
          await problemsOf(
            ledger.importFile('entries', csv(`f${k}.csv`, `${HEAD}\n${lines.join('\n')}\n`), site, now, f),
          );
        }
        const stored = ledger.entries();
        ledger.close();
        for (const a of stored)
          for (const b of stored)
            if (a !== b && a.building === b.building)
              expect(a.period_start > b.period_end || b.period_start > a.period_end).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
