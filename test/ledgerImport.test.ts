import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { demoSite } from '../cli/context.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import { Ledger } from '../reports/ledger/ledger.ts';
import { spawnCli } from './helpers/cli.ts';

/**
 * `jieneng import` as an officer meets it on the demo site: a GBK file from Excel in Chinese read
 * and said so, an annual bill over monthly ones refused naming both, replaced only on request
 * (and the output says what it replaced), a template written and imported back, a missing file
 * in one line.
 */
const HEAD = 'building,period_start,period_end,energy_type,quantity,unit,source';

/** The CLI as an officer runs it, on the demo site's buildings. */
async function run(args: string[]) {
  const p = spawnCli([...args, '--config', demoSite]);
  const code = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe('jieneng import', () => {
  it('says a missing file, and a template into a missing folder, in one line; the usage for a wrong kind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-import-'));
    const missing = join(dir, 'nope.csv');
    const gone = await run(['import', 'entries', missing, '--data-dir', dir]);
    expect(gone.code).toBe(1);
    expect(gone.err).toBe(`jieneng import: ${missing}：没有这个文件\n`);
    const nowhere = join(dir, 'nonexist', '台账.xlsx');
    const template = await run(['import', 'template', 'entries', '-o', nowhere]);
    expect(template.code).toBe(2);
    expect(template.err).toBe(
      `jieneng import template: -o ${nowhere}: the folder ${join(dir, 'nonexist')} does not exist; create it, or give a file in a folder that exists\n`,
    );
    const wrong = await run(['import', 'bills', missing, '--data-dir', dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain(
      'usage: jieneng import facts|entries FILE.csv|FILE.xlsx [--replace] --config FILE',
    );
  }, 60_000);

  it('reads a GBK CSV, refuses an overlapping annual bill naming both, replaces it on request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-import-'));
    const months = join(dir, '2025月度电费.csv');
    const lines = Array.from({ length: 12 }, (_, m) => {
      const mm = String(m + 1).padStart(2, '0');
      const last = new Date(Date.UTC(2025, m + 1, 0)).getUTCDate();
      return `综合办公楼,2025-${mm}-01,2025-${mm}-${last},电,100000,度,国网福州供电公司${m + 1}月电费单`;
    });
    writeFileSync(
      months,
      iconv.encode(`建筑,开始日期,结束日期,能源类型,数量,单位,来源\r\n${lines.join('\r\n')}\r\n`, 'gbk'),
    );
    const ok = await run(['import', 'entries', months, '--data-dir', dir]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toBe(`${months}：已导入 12 条能源台账（0 条替换了先前的导入）\n  按 GB18030 (GBK) 读取\n`);

    const annual = join(dir, 'annual.csv');
    writeFileSync(
      annual,
      `${HEAD}\nzonghe-lou,2025-01-01,2025-12-31,electricity,1200,MWh,2025年度电费汇总\n`,
    );
    const refused = await run(['import', 'entries', annual, '--data-dir', dir]);
    expect(refused.code).toBe(1);
    // One problem for the one row, naming the stored entries it overlaps
    expect(refused.err).toContain(`${annual}：共 1 处问题，未导入任何数据：\n`);
    expect(refused.err).toContain(
      'annual.csv 第 2 行：zonghe-lou electricity 2025-01-01 至 2025-12-31 与已存的 12 条记录 2025-01-01 至 2025-01-31（100000 kWh，来源"国网福州供电公司1月电费单"，',
    );
    // When it was imported, as the officer reads it: local time with the offset, never UTC "Z"
    expect(refused.err).toMatch(/，\d{4}-\d\d-\d\d \d\d:\d\d \+08:00 自 2025月度电费\.csv 导入）/);
    expect(refused.err).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}Z/);
    expect(refused.err).toContain(
      '；另有 9 条：2025-04-01 至 2025-04-30、2025-05-01 至 2025-05-31、2025-06-01 至 2025-06-30、2025-07-01 至 2025-07-31、2025-08-01 至 2025-08-31、2025-09-01 至 2025-09-30、2025-10-01 至 2025-10-31、2025-11-01 至 2025-11-30、2025-12-01 至 2025-12-31 重叠；同一建筑同一能源的期间不得重叠——请改正文件，或用 --replace 导入以替换所重叠的记录\n',
    );

    const replaced = await run(['import', 'entries', annual, '--data-dir', dir, '--replace']);
    expect(replaced.err).toBe('');
    expect(replaced.out).toContain(
      `${annual}：已导入 1 条能源台账（12 条替换了先前的导入）\n  按 UTF-8 读取\n`,
    );
    expect(replaced.out).toContain(
      '  已将 zonghe-lou electricity 2025-02-01 至 2025-02-28 100000 kWh（"国网福州供电公司2月电费单"） 替换为 zonghe-lou electricity 2025-01-01 至 2025-12-31 1200 MWh（"2025年度电费汇总"）\n',
    );
    const ledger = new Ledger(join(dir, 'ledger.db'));
    // 1,200 MWh = 1,200,000 kWh once, never 2,400,000
    expect(ledger.entries().map((e) => [e.period_start, e.period_end, e.quantity, e.conversion])).toEqual([
      ['2025-01-01', '2025-12-31', 1_200_000, '1200 MWh × 1000 = 1200000 kWh'],
    ]);
    expect(ledger.auditLog().map((a) => [a.action, (a.detail as { replaced: number }).replaced])).toEqual([
      ['import entries', 0],
      ['import entries', 12],
    ]);
    ledger.close();
    // And the platform's one audit log has each import, the refused one too, by the CLI's user.
    const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone: 'Asia/Shanghai' });
    expect(
      audit
        .list()
        .reverse()
        .map((e) => [
          e.action,
          e.outcome,
          e.actor.via,
          (e.after as { replaced?: number } | undefined)?.replaced,
        ]),
    ).toEqual([
      ['ledger.import.entries', 'ok', 'cli', 0],
      ['ledger.import.entries', 'refused', 'cli', undefined],
      ['ledger.import.entries', 'ok', 'cli', 12],
    ]);
    expect(audit.verify().ok).toBe(true);
    audit.close();
  }, 60_000);

  it('writes a template that, filled in, imports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-import-'));
    const file = join(dir, 'facts.xlsx');
    const written = await run(['import', 'template', 'facts', '-o', file]);
    expect(written.out).toBe(
      `${file}：已写入建筑信息模板（填好后运行：jieneng import facts ${file} --config ${demoSite} --data-dir ./data）\n`,
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect(ws?.getCell('A2').value).toBe('示例 example'); // the example row, which the import would refuse
    ws?.spliceRows(2, 1, ['综合办公楼', new Date('2025-01-01T00:00:00Z'), 18_600, 420]);
    await wb.xlsx.writeFile(file);
    const imported = await run(['import', 'facts', file, '--data-dir', dir]);
    expect(imported.err).toBe('');
    expect(imported.out).toBe(
      `${file}：已导入 1 条建筑信息（0 条替换了先前的导入）\n  按 XLSX，工作表"建筑信息 facts" 读取\n`,
    );
  }, 60_000);
});
