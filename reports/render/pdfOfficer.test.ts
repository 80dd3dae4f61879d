import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IntensityReport, Status } from '../../core/reports/report.ts';
import { intensityReport } from '../figures/intensity.ts';
import { renderReport } from './render.ts';
import { reportTables } from './reportTables.ts';
import { sampleInput, sampleReport } from './sampleInput.ts';

/*
 * What the newcomer who tried to sign the sample asked for: page 1 an officer's (provenance at the
 * end), a signature block, no English, whole headcounts, the missing data said once, and a partly
 * covered figure's coverage in its row with no change printed.
 */

async function pdfText(r: IntensityReport): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'jieneng-officer-')), 'r.pdf');
  writeFileSync(file, await renderReport(r, 'pdf'));
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
const pages = (text: string) => text.split('\f');
const lineWith = (text: string, re: RegExp) => text.split('\n').find((l) => re.test(l));

describe('the PDF an officer signs', () => {
  it('keeps page 1 for the officer: no file paths, flags or store; the plan note in plain words', async () => {
    const text = await pdfText(sampleReport({ missingBill: true }));
    const first = pages(text)[0] ?? '';
    for (const dev of [
      '站点文件',
      '数据目录',
      '/etc/jieneng',
      '/var/lib/jieneng',
      'SQLite',
      'verified',
      'targets.yaml',
    ])
      expect(first, dev).not.toContain(dev);
    expect(first).toContain('规划目标值尚未与正式文件逐项核对，达标评价仅供参考');
    // the provenance is kept, small, at the end
    const last =
      pages(text)
        .filter((p) => p.trim())
        .at(-1) ?? '';
    expect(lineWith(last, /数据来源：/)).toMatch(
      /站点文件 \/etc\/jieneng\/site\.yaml；数据目录 \/var\/lib\/jieneng；数据存储 内置存储（SQLite）/,
    );
    // nowhere the engine's developer wording
    expect(text).not.toMatch(/verified: false|reports\/data\/targets\.yaml/);
  });

  it('ends with the signature block of the statistics forms', async () => {
    const text = await pdfText(sampleReport({ missingBill: true }));
    const last =
      pages(text)
        .filter((p) => p.trim())
        .at(-1) ?? '';
    for (const f of ['填报人：', '审核人：', '单位负责人（签字）：', '填报日期：', '单位盖章'])
      expect(last, f).toContain(f);
    expect(last).toMatch(/填报日期：\s+年\s+月\s+日/);
  });

  it('has no English words except units, standards and ids', async () => {
    const text = await pdfText(sampleReport({ missingBill: true }));
    // the 数据来源 line names files and the store as they are: ids, not words
    const body = text
      .split('\n')
      .filter((l) => !l.includes('数据来源：'))
      .join('\n');
    const allowed = new Set(
      'kgce kWh kgCO m kg L GB T UTC A B CO tC TJ GJ hq annex archive city-agency'.split(' '),
    );
    const words = [...body.matchAll(/[A-Za-z][A-Za-z-]*/g)].map((m) => m[0]);
    expect(words.filter((w) => !allowed.has(w))).toEqual([]);
    // the 分项 note core writes in English, said in Chinese
    expect(lineWith(text, /其他（未分项计量）/)).toContain('总表减各分项表（未计量/其他）');
  });

  it('prints whole headcounts without decimals and a time-weighted one with its decimal', async () => {
    const text = await pdfText(sampleReport({ missingBill: true }));
    // 服务楼 120 人, 档案楼 50 人; 综合楼 127,900 ÷ 365 = 350.4 人; organization 350.4 + 120 + 50 = 520.4
    expect(lineWith(text, /服务楼 \(annex\)/)).toMatch(/4,000\s+120\s/);
    expect(lineWith(text, /档案楼 \(archive\)/)).toMatch(/6,000\s+50\s/);
    expect(lineWith(text, /综合楼 \(hq\)/)).toMatch(/12,000\s+350\.4\s/);
    expect(text).not.toMatch(/\s(120|50)\.0\s/);
  });

  it('lists what is missing once, in the 缺数据清单, and refers to it elsewhere', async () => {
    // 2026 without any data: 8 building × energy items, each named by the engine in the overall
    // status, every comparison's reason, the coverage notes and the ranking
    const r = intensityReport({
      ...sampleInput(),
      from: '2026-01-01',
      to: '2026-12-31',
      today: '2027-01-10',
      baselineYear: undefined,
    });
    const items = r.buildings.flatMap((b) => b.missing.map((m) => m.text));
    expect(items).toHaveLength(8);
    const text = await pdfText(r);
    // the engine's sentence for an item is nowhere; each item is one row of the list
    for (const m of items) expect(text).not.toContain(m);
    for (const [b, t] of [
      ['综合楼', '电力'],
      ['综合楼', '天然气'],
      ['服务楼', '汽油'],
      ['档案楼', '水'],
    ])
      expect(
        text.split('\n').filter((l) => new RegExp(`${b}\\s+${t}\\s+2026-01-01 至 2026-12-31`).test(l)),
      ).toHaveLength(1);
    expect(text).toContain('缺数据清单');
    expect(text).toContain('见缺数据清单');
  });

  it('says in the 缺数据清单 why an item is missing: an overlap of stored entries and what to do', async () => {
    // 档案楼's 2025 power as two bills that share June (2025-06-01 to 06-30, 30 days): the engine
    // counts neither on those days, so 335 of 365 days are covered (91.78 %) and it names the overlap
    const input = sampleInput({ missingBill: true });
    const bill = (period_start: string, period_end: string, quantity: number) => ({
      building: 'archive',
      energy_type: 'electricity' as const,
      period_start,
      period_end,
      quantity,
      source: '国网电费账单',
    });
    input.entries.push(bill('2025-01-01', '2025-06-30', 130_000), bill('2025-06-01', '2025-12-31', 140_000));
    const r = intensityReport(input);
    expect(
      r.buildings
        .find((b) => b.id === 'archive')
        ?.missing.map((m) => m.text)
        .join(),
    ).toContain('录入重叠');
    const text = await pdfText(r);
    const list = text.slice(text.indexOf('缺数据清单'));
    // the row says the cause and the way out, not just the period and coverage
    expect(list).toMatch(/档案楼\s+电力\s+2025-06-01 至 2025-06-30\s+91\.78%\s+录入重叠/);
    expect(list).toContain('--replace');
    // the note tells the officer to re-import with --replace, not to enter a bill that is there
    expect(list).toContain('改正账单后用 jieneng import entries FILE --replace 重新导入');
    expect(list).not.toContain('补录所缺账单');
  });

  it('words the 缺数据清单 by cause: today’s unfinished day needs no bill, a missing bill does', () => {
    const r = sampleReport({ missingBill: true });
    const hq = r.buildings.find((b) => b.id === 'hq');
    if (!hq) throw new Error('sample: no 综合楼');
    // as reports/figures/scope.ts words a report ending today
    hq.missing.push({
      building: 'hq',
      energy_type: 'water',
      from: '2025-12-31',
      to: '2025-12-31',
      share: 364 / 365,
      text: '综合楼 水 2025-12-31 至 2025-12-31 有缺（覆盖 99.73%），2025-12-31 起的数据未满一天（今日数据未满一天），不计',
    });
    const list = reportTables(r).find((t) => t.name === '缺数据');
    const cause = list?.columns.findIndex((c) => c.header === '原因') ?? -1;
    expect(list?.rows.map((row) => [row[1], row[cause]])).toEqual([
      ['综合楼', '今日未满一天'],
      ['档案楼', '无数据'],
    ]);
    expect(list?.notes).toEqual([
      '今日未满一天：当日数据不计，次日重新生成报告即可，无需补录。',
      '无数据：补录所缺账单或恢复计量后重新生成报告。',
      '所列数据不全时，相关指标不判定达标。',
    ]);
  });

  it('shows a partly covered figure’s coverage in its row and no change the engine left out', async () => {
    const r = sampleReport();
    // 服务楼's electricity: bills for 335 of 365 days → 91.78 %, "覆盖 91.78%" (as the 覆盖率 columns print it); the engine gives
    // no change for it (null) and says 数据不完整
    const power = r.buildings[1]?.totals.find((t) => t.energy_type === 'electricity');
    if (!power) throw new Error('sample: 服务楼 has no electricity');
    power.coverage = { ...power.coverage, entered_days: 335, share: 335 / 365, state: 'partial' };
    for (const c of r.comparisons)
      if (c.scope === 'annex' && c.indicator !== 'water_per_capita_m3')
        Object.assign(c, { change: null, status: 'incomplete', status_text: '数据不全' });
    const text = await pdfText(r);
    const row = lineWith(text, /服务楼\s+单位建筑面积能耗/) ?? '';
    expect(row).toMatch(/9\.845\s+10\.470\s+数据不全\s+-5\.00%\s+-5\.00%\s+数据不完整（覆盖 91\.78%）/);
    // water rests on water alone: complete, no coverage added
    expect(lineWith(text, /服务楼\s+人均用水量/)).toMatch(/达标进度内$/);
  });

  it('says a status it does not know by its status_text', async () => {
    const r = sampleReport();
    const c = r.comparisons.find((x) => x.scope === 'hq' && x.indicator === 'energy_per_area_kgce_m2');
    if (!c) throw new Error('sample: no 综合楼 comparison');
    Object.assign(c, { status: 'indicative' as Status, status_text: '仅供参考' });
    Object.assign(r, { status: 'indicative', status_text: '仅供参考：本年至今不足 90 天' });
    const text = await pdfText(r);
    expect(lineWith(text, /综合楼\s+单位建筑面积能耗/)).toMatch(/仅供参考$/);
    expect(text).toContain('总体状态：仅供参考：本年至今不足 90 天');
    expect(text).not.toContain('indicative');
    // the 摘要 of CSV and XLSX says it once, not "仅供参考：…：仅供参考：…"
    const summary = reportTables(r)[0];
    expect(summary?.rows.find((row) => row[0] === '总体状态')?.[1]).toBe('仅供参考：本年至今不足 90 天');
  });
});
