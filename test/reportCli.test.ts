import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { demoSite } from '../cli/context.ts';
import { notWritten } from '../cli/reportCommand.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';
import { spawnCli } from './helpers/cli.ts';

/**
 * An energy officer's path through the CLI on the demo site: import the 2020 bill from CSV (a
 * broken file is refused whole, with row and column), then a report over January 2025 (typed as
 * its first and last day) from the stored daily rollups — main meters only, never main plus
 * sub-meters — against the same January of 2020, with every building and energy type the demo
 * meters but has no data for shown as missing, never as 0.
 */
describe('jieneng import and jieneng report', () => {
  it('says why -o FILE was not written in Chinese', () => {
    const err = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    expect(notWritten('/srv/r.pdf', err).message).toBe('-o /srv/r.pdf：未写入：没有写入权限');
  });

  it('imports checked CSV and reports from rollups and entries', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jn-report-'));
    const store = new SqliteStore(join(dataDir, 'jieneng.db'));
    await store.open();
    const rows = [];
    for (let d = 1; d <= 31; d++) {
      const start = Date.parse(`2025-01-${String(d).padStart(2, '0')}T00:00:00+08:00`);
      rows.push({
        period: 'day' as const,
        meter: 'zonghe-main',
        start,
        value: 1000,
        estimated: 0,
        unit: 'kWh',
      });
      rows.push({
        period: 'day' as const,
        meter: 'zonghe-hvac',
        start,
        value: 400,
        estimated: 0,
        unit: 'kWh',
      });
    }
    await store.writeRollups(rows);
    await store.close();
    const run = async (args: string[], config: string[] = ['--config', demoSite]) => {
      const p = spawnCli([...args, '--data-dir', dataDir, ...config]);
      const code = await p.exited;
      return { code, out: p.stdout(), err: p.stderr() };
    };

    const bad = join(dataDir, 'bad.csv');
    writeFileSync(
      bad,
      '\uFEFFbuilding,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2020-01-01,2020-12-31,electricity,400000,kWh,2020年电费单\n' +
        'nowhere,2020-01-01,2020-13-01,petrol,-3,L,\n',
    );
    const refused = await run(['import', 'entries', bad]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('bad.csv 第 3 行，building 列："nowhere"：没有这个建筑；可用的建筑：');
    expect(refused.err).toContain('第 3 行，period_end 列："2020-13-01"：不是有效日期（没有 13 月）');
    expect(refused.err).toContain('第 3 行，energy_type 列："petrol"：应为 electricity、water');
    expect(refused.err).toContain('第 3 行，quantity 列："-3"：应为不小于 0 的数');
    expect(refused.err).toContain('第 3 行，source 列：""：请写明数据来源');

    const entries = join(dataDir, 'entries.csv');
    writeFileSync(
      entries,
      '\uFEFFbuilding,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2020-01-01,2020-12-31,electricity,400,MWh,2020年电费单\n',
    );
    const ok = await run(['import', 'entries', entries]);
    expect(ok.err).toBe('');
    expect(ok.out).toContain('已导入 1 条能源台账（0 条替换了先前的导入');
    // The same file again is the same bill, never a second one.
    expect((await run(['import', 'entries', entries])).out).toContain(
      '已导入 1 条能源台账（1 条替换了先前的导入，其中 1 条与已存的相同）',
    );

    const january = ['report', '--from', '2025-01-01', '--to', '2025-01-31', '--baseline', '2020'];
    // No site named: refused, never the demo organization's report by default.
    const guessed = await run(january, []);
    expect(guessed.code).toBe(2);
    expect(guessed.err).toContain('jieneng report: --config FILE is required');
    const impossible = await run(['report', '--from', '2025-02-01', '--to', '2025-02-30']);
    expect(impossible.code).toBe(2);
    expect(impossible.err).toContain(
      'jieneng report: --to "2025-02-30" is not a calendar date (February 2025 has 28 days)',
    );

    // The API's bound, in the API's words (api/routes/reports.ts: 2000–2100)
    const far = await run(['report', '--from', '2025-01-01', '--to', '2025-01-31', '--baseline', '9999']);
    expect(far.code).toBe(2);
    expect(far.err).toBe(
      `jieneng report: --baseline "9999" is not allowed; allowed: a baseline year from 2000 to 2100 (default: the plan's)\n`,
    );
    // A folder that does not exist: one line before any work, never a raw ENOENT
    const nowhere = join(dataDir, 'nonexist', 'x.pdf');
    const lost = await run([...january, '--format', 'pdf', '-o', nowhere]);
    expect(lost.code).toBe(2);
    expect(lost.err).toBe(
      `jieneng report: -o ${nowhere}: the folder ${join(dataDir, 'nonexist')} does not exist; create it, or give a file in a folder that exists\n`,
    );

    const out = join(dataDir, 'report.json');
    const rep = await run([...january, '-o', out]);
    expect(rep.code).toBe(0);
    expect(rep.out).toMatch(
      new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}：已写入 json，\\d+ 字节\n$`),
    );
    expect(rep.err).toBe(`报表：福州市机关事务管理局（${demoSite}）；数据：内置存储（SQLite），${dataDir}\n`);
    // A baseline the engine refuses (not before the report year) is bad input like a refused flag: exit 2
    const late = await run(['report', '--from', '2025-01-01', '--to', '2025-01-31', '--baseline', '2026']);
    expect(late.code).toBe(2);
    expect(late.err).toMatch(/^jieneng report: .*2026.*2025/);
    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect([report.from, report.to, report.days]).toEqual(['2025-01-01', '2025-01-31', 31]);
    const zonghe = report.buildings.find((b: { id: string }) => b.id === 'zonghe-lou');
    // 31 days × 1,000 kWh of the main meter; the HVAC sub-meter's 400 kWh/day are inside it.
    // Its water meter reported nothing: water is missing, not 0.
    expect(
      zonghe.totals.map(
        (t: { energy_type: string; quantity: number | null; coverage: { state: string } }) => [
          t.energy_type,
          t.quantity,
          t.coverage.state,
        ],
      ),
    ).toEqual([
      ['electricity', 31_000, 'complete'],
      ['water', null, 'missing'],
    ]);
    // 分项: HVAC 400 × 31 = 12,400 kWh from 1 of the demo's 3 HVAC sub-meters (coverage 1/3, and it
    // says which are silent); the lighting, power and special sub-meters reported nothing: missing,
    // not 0 — and the virtual "other" is 缺数据 while a building's main meter is silent.
    const subitems = report.subitems as {
      key: string;
      value: number | null;
      coverage: number;
      note?: string;
    }[];
    expect(subitems.map((x) => [x.key, x.value, x.coverage])).toEqual([
      ['hvac', 12_400, 1 / 3],
      ['lighting_socket', null, 0],
      ['power', null, 0],
      ['special', null, 0],
      // the other buildings' main meters are silent, so main − Σ subs is unknown for the
      // organization: 缺数据 (null, coverage 0), never the 18,600 kWh of 综合办公楼 alone (cd69beb)
      ['other', null, 0],
    ]);
    expect(subitems[0]?.note).toBe('不完整：服务楼（食堂）空调 0/31 天、档案与会议楼空调 0/31 天');
    expect(subitems.at(-1)?.note).toContain(
      '档案与会议楼 总表（档案与会议楼总表）本期无数据，其他/未计量无法计算',
    );
    // 31,000 × 0.1229 = 3,809.9 kgce
    expect(zonghe.energy_kgce).toBeCloseTo(3_809.9, 6);
    // Like for like: January 2020 from the annual bill, 400,000 kWh × 31 / 366 days = 33,879.781 kWh
    // × 0.1229 = 4,163.825 kgce (never the whole year's 49,160 against one month).
    expect(report.baseline_basis.text).toBe('与基准年同期 2020-01-01 至 2020-01-31 比较');
    const base = report.baseline.buildings.find((b: { id: string }) => b.id === 'zonghe-lou');
    expect(base.energy_kgce).toBeCloseTo((400_000 * 31 * 0.1229) / 366, 6);
    // 3,809.9 / 4,163.825 − 1 = 31,000 / 33,879.781 − 1 = −8.50 %: within the −5 % due by 2025
    const perArea = report.comparisons.find(
      (c: { scope: string; indicator: string }) =>
        c.scope === 'zonghe-lou' && c.indicator === 'energy_per_area_kgce_m2',
    );
    expect(perArea.change).toBeCloseTo(31_000 / ((400_000 * 31) / 366) - 1, 9);
    expect(perArea.status).toBe('on_track');
    // The other buildings have meters and no data: the organization is incomplete, not on track,
    // and only the building with complete figures ranks.
    expect(report.organization.energy_kgce).toBeNull();
    expect(report.status).toBe('incomplete');
    expect(report.status_text).toContain('服务楼（食堂） 电 2025-01-01 至 2025-01-31 缺数据');
    expect(report.ranking.energy_per_area_kgce_m2.map((x: { building: string }) => x.building)).toEqual([
      'zonghe-lou',
    ]);
    expect(report.basis_text).toContain('当量值');
    expect(report.plan.name).toBe('十四五公共机构节约能源资源工作规划');

    // CSV: a zip of one table per file, each UTF-8 with a BOM so Excel opens the Chinese intact.
    const zipFile = join(dataDir, 'report.csv.zip');
    expect((await run([...january, '--format', 'csv', '-o', zipFile])).code).toBe(0);
    const files = unzipSync(readFileSync(zipFile));
    expect(Object.keys(files)[0]).toBe('01-摘要.csv');
    for (const bytes of Object.values(files)) expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      Object.values(files)
        .map((b) => strFromU8(b))
        .join('\n'),
    ).toContain('综合办公楼');

    // XLSX: Chinese intact when read back with exceljs.
    const xlsxFile = join(dataDir, 'report.xlsx');
    expect((await run([...january, '--format', 'xlsx', '-o', xlsxFile])).code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsxFile);
    expect(wb.worksheets[0]?.name).toContain('摘要');

    // PDF: the Chinese text comes back out of it (pdftotext), so it was drawn with real glyphs.
    const pdfFile = join(dataDir, 'report.pdf');
    expect((await run([...january, '--basis', 'generation', '--format', 'pdf', '-o', pdfFile])).code).toBe(0);
    const pdfText = execFileSync('pdftotext', ['-layout', pdfFile, '-'], { encoding: 'utf8' });
    expect(pdfText).toContain('公共机构能源资源消耗强度报告');
    expect(pdfText).toContain('综合办公楼');
    expect(pdfText).toContain('缺数据');

    const noName = await run([...january, '--format', 'pdf']);
    expect(noName.code).toBe(2);
    expect(noName.err).toContain('--format pdf writes a file (binary): give it a name with -o FILE');
  }, 300_000); // thirteen jieneng processes, one after another, on a loaded machine
});
