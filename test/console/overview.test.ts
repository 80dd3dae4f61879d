import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { periodOf, rangeText, todayAt } from '../../dashboards/web/src/period.ts';
import { kpiDigits } from '../../dashboards/web/src/screens/overview/overviewModel.ts';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/** 能耗总览 as the energy officer uses it: the page's figures, its period, its export. */

const today = () => todayAt('Asia/Shanghai');
const words = (r: { from: string; to: string }, name: string) => `对比 ${rangeText(r, '至')}（${name}）`;

/** The cells of the row of a data table (el-table) whose first cell is `first`, as text. */
async function rowCells(table: Locator, first: string): Promise<string[]> {
  const row = table
    .getByRole('row')
    .filter({ has: table.page().getByRole('cell', { name: first, exact: true }) });
  await row.first().waitFor();
  return (await row.first().getByRole('cell').allInnerTexts()).map((s) => s.trim());
}
/** A report takes a second or two on the demo's years of history (more on a busy machine). */
const loaded = { timeout: 60_000 };
const numberOf = (text: string) => Number(text.replaceAll(',', ''));
/** The page's figure is the workbook's at the page's precision (half a unit of its last digit). */
function expectSame(shown: string, cell: unknown, digits: number, what: string): void {
  expect(typeof cell, `${what} in the workbook`).toBe('number');
  expect(shown, what).toMatch(/^-?[\d,]+(\.\d+)?$/);
  const diff = Math.abs(numberOf(shown) - (cell as number));
  expect(diff, `${what}: page ${shown}, workbook ${cell}`).toBeLessThanOrEqual(0.5 * 10 ** -digits + 1e-9);
}

async function chooseCustom(page: Page, from: string, to: string): Promise<void> {
  const start = page.getByPlaceholder('开始日期');
  await start.click();
  await start.fill(from);
  const end = page.getByPlaceholder('结束日期');
  await end.fill(to);
  await end.press('Enter');
  await expect.poll(() => start.inputValue()).toBe(from);
}

/** The figures table once its figures (and their base period) are in. */
async function figuresTable(page: Page, name = '指标汇总'): Promise<Locator> {
  const table = page.getByRole('region', { name });
  await table.getByRole('row').nth(1).waitFor();
  await expect.poll(() => page.locator('[aria-busy="true"]').count(), loaded).toBe(0);
  return table;
}

/** What the page shows (innerText: the visible text, not the styles' or scripts'). */
async function pageText(page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator; the visible text is meant
  return page.locator('body').innerText();
}

describe('能耗总览 (the energy officer’s home) in Chromium against jieneng start', () => {
  const { site, browser } = consoleSuite();

  it('shows 李科长 the KPI cards and tables; 本月, 本年, 环比 and a custom range change the period and the base-period words', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/overview');
    await page.getByRole('heading', { name: '能耗总览', level: 1 }).waitFor();

    const asked = async (from: string, to: string) => {
      const r = await fetch(`${site().url}/api/v1/reports/intensity?from=${from}&to=${to}`, {
        headers: site().headers('officer'),
      });
      return (await r.json()) as {
        period_comparisons: { kind: string; base_from: string; base_to: string }[];
      };
    };
    // The page opens on 本月, compared with the same dates last year, said in words — the dates the
    // report compares (it counts whole days: a period reaching today is counted to yesterday).
    const compare = page.getByTestId('compare-base');
    const month = periodOf('month', today());
    const base = async (p: { from: string; to: string }, kind: 'year_on_year' | 'previous_period') => {
      const c = (await asked(p.from, p.to)).period_comparisons.find((x) => x.kind === kind);
      return c ? { from: c.base_from, to: c.base_to } : undefined;
    };
    const monthBase = await base(month, 'year_on_year');
    if (monthBase) await expect.poll(() => compare.textContent()).toBe(words(monthBase, '去年同期'));
    else await expect.poll(() => compare.textContent()).toMatch(/今日未满一天/);
    const table = await figuresTable(page);
    for (const name of [
      '综合能耗',
      '用水量',
      '碳排放',
      '单位建筑面积能耗',
      '人均综合能耗',
      '人均用水量',
      '单位建筑面积碳排放',
    ]) {
      await page
        .getByRole('region', { name: '关键指标' })
        .getByRole('heading', { name, exact: true })
        .waitFor();
      const cells = await rowCells(table, name);
      expect(cells[3], `${name}: coverage`).toMatch(/覆盖 \d+(\.\d)?%|缺数据/);
    }
    for (const name of ['分类能耗构成', '分项用电构成', '建筑能耗强度排名'])
      await page.getByRole('region', { name }).getByRole('row').nth(1).waitFor();

    // The card's base period is the report's (what the API compared with), in words.
    const energyCard = page.getByRole('region', { name: '综合能耗', exact: true });
    const monthReport = await asked(month.from, month.to);
    const yoy = monthReport.period_comparisons.find((c) => c.kind === 'year_on_year');
    if (!yoy) throw new Error('the report has no 同比');
    await expect
      .poll(() => energyCard.textContent(), loaded)
      .toContain(words({ from: yoy.base_from, to: yoy.base_to }, '去年同期'));

    // 本年: the year to date against last year's.
    await page.getByRole('radio', { name: '本年' }).check({ force: true });
    const year = periodOf('year', today());
    await expect
      .poll(() => compare.textContent())
      .toBe(words((await base(year, 'year_on_year')) ?? year, '去年同期'));
    expect(await page.getByPlaceholder('开始日期').inputValue()).toBe(year.from);
    await figuresTable(page);

    // 环比: the period before, named as such.
    await page.getByRole('radio', { name: '环比' }).check({ force: true });
    await expect
      .poll(() => compare.textContent())
      .toBe(words((await base(year, 'previous_period')) ?? year, '上期同期'));

    // 近12个月 (环比 still): the 12 months to date, said so with its dates and days, against the
    // report's base of as many days just before — not 1 January on against a whole year.
    await page.getByRole('radio', { name: '近12个月' }).check({ force: true });
    const last12 = periodOf('last12', today());
    await expect.poll(() => page.getByPlaceholder('开始日期').inputValue()).toBe(last12.from);
    await expect
      .poll(() => page.getByTestId('period-means').textContent())
      .toMatch(
        new RegExp(
          `^近12个月即截至今日的 12 个月：${last12.from} 至 ${last12.to} \\d\\d:\\d\\d（36[56] 天）$`,
        ),
      );
    const last12Base = await base(last12, 'previous_period');
    if (!last12Base) throw new Error('the report has no 环比 for 近12个月');
    // The report counts whole days (to yesterday): its base is as long, and ends the day before.
    const dayOf = (d: string) => Date.parse(`${d}T00:00:00Z`) / 86_400_000;
    expect(dayOf(last12.from) - dayOf(last12Base.to)).toBe(1);
    expect(dayOf(last12Base.to) - dayOf(last12Base.from)).toBe(dayOf(last12.to) - 1 - dayOf(last12.from));
    await expect.poll(() => compare.textContent(), loaded).toBe(words(last12Base, '上期同期'));
    await figuresTable(page);
    expect((await rowCells(await figuresTable(page), '综合能耗'))[5]).toBe(rangeText(last12Base, '至'));
    await page.getByRole('radio', { name: '同比' }).check({ force: true });

    // A custom range: December 2025, against December 2024.
    await chooseCustom(page, '2025-12-01', '2025-12-31');
    await expect.poll(() => compare.textContent()).toBe('对比 2024-12-01 至 2024-12-31（去年同期）');
    await expect.poll(() => page.getByRole('radio', { name: '自定义' }).isChecked()).toBe(true);
    const custom = await figuresTable(page);
    expect((await rowCells(custom, '综合能耗'))[5]).toBe('2024-12-01 至 2024-12-31');
    await expect
      .poll(() => energyCard.textContent(), loaded)
      .toContain('对比 2024-12-01 至 2024-12-31（去年同期）');

    const text = await pageText(page);
    expect(text).not.toMatch(/undefined|NaN/);
    expect(problems()).toEqual([]);
  });

  it('shows the same figures as the XLSX it exports for the same period (the test reads both)', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await chooseCustom(page, '2025-01-01', '2025-12-31');
    const table = await figuresTable(page);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 Excel' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('intensity_2025-01-01_2025-12-31.xlsx');
    const file = join(mkdtempSync(join(tmpdir(), 'jn-overview-')), download.suggestedFilename());
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);

    /** A sheet as rows of header → value. */
    const sheet = (name: string) => {
      const ws = wb.getWorksheet(name);
      if (!ws) throw new Error(`the workbook has no sheet ${name}: ${wb.worksheets.map((w) => w.name)}`);
      // Row values are 1-based (a hole at 0): made dense first.
      const header = Array.from(ws.getRow(1).values as unknown[], (v) => String(v ?? ''));
      const rows: Record<string, unknown>[] = [];
      ws.eachRow((row, i) => {
        if (i === 1) return;
        const values = Array.from(row.values as unknown[]);
        rows.push(Object.fromEntries(header.map((h, j) => [h, values[j]])));
      });
      return rows;
    };
    const summary = sheet('摘要');
    const organization = String(summary.find((r) => r.项目 === '单位')?.内容);
    expect(summary.find((r) => r.项目 === '报告期')?.内容).toMatch(/^2025-01-01 至 2025-12-31/);
    const org = sheet('建筑').find((r) => String(r.建筑).startsWith(`${organization} (`));
    if (!org) throw new Error(`no row of ${organization} in 建筑`);
    const water = sheet('分类').find((r) => r.范围 === organization && r.能源 === '水');
    const electricity = sheet('分类').find((r) => r.范围 === organization && r.能源 === '电力');

    const expected: [string, unknown, number][] = [
      ['综合能耗', org['综合能耗 (kgce)'], kpiDigits.energy],
      ['单位建筑面积能耗', org['单位建筑面积能耗 (kgce/m²)'], kpiDigits.energy_per_area],
      ['人均综合能耗', org['人均综合能耗 (kgce/人)'], kpiDigits.energy_per_capita],
      ['用水量', water?.用量, kpiDigits.water],
      ['人均用水量', org['人均用水量 (m³/人)'], kpiDigits.water_per_capita],
      ['碳排放', org['碳排放 (kgCO₂)'], kpiDigits.carbon],
      ['单位建筑面积碳排放', org['单位建筑面积碳排放 (kgCO₂/m²)'], kpiDigits.carbon_per_area],
    ];
    for (const [name, cell, digits] of expected)
      expectSame((await rowCells(table, name))[1] ?? '', cell, digits, name);
    // The 分类 table beside the donut: electricity as the workbook has it.
    const byType = page.getByRole('region', { name: '分类能耗构成' });
    const row = await rowCells(byType, '电力');
    expectSame(row[1] ?? '', electricity?.用量, 2, '电力 kWh');
    expectSame(row[3] ?? '', electricity?.['折标准煤 (kgce)'], 2, '电力 kgce');
    // The status against the plan is the workbook's, in the same words.
    const indicators = sheet('指标').filter((r) => r.范围 === organization);
    let assessed = 0;
    for (const name of ['单位建筑面积能耗', '人均综合能耗', '人均用水量', '单位建筑面积碳排放']) {
      const status = String(indicators.find((r) => r.指标 === name)?.状态);
      if (status !== '达标进度内' && status !== '有风险') continue;
      expect((await rowCells(table, name))[7], name).toContain(status);
      assessed++;
    }
    expect(assessed, 'indicators assessed against 十四五 for 2025').toBeGreaterThan(0);
    // The PDF of the same report, one click away too.
    const [pdf] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '导出 PDF' }).click(),
    ]);
    expect(pdf.suggestedFilename()).toBe('intensity_2025-01-01_2025-12-31.pdf');
    const pdfFile = join(dirname(file), pdf.suggestedFilename());
    await pdf.saveAs(pdfFile);
    expect(readFileSync(pdfFile).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await pageText(page)).not.toMatch(/undefined|NaN/);
    expect(problems()).toEqual([]);
  });

  it('says 缺数据 with its coverage for a period without data (before the demo’s history), never 0', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await chooseCustom(page, '2019-12-01', '2019-12-31');
    const table = await figuresTable(page);
    for (const name of ['综合能耗', '用水量', '碳排放', '单位建筑面积能耗', '人均综合能耗', '人均用水量']) {
      const cells = await rowCells(table, name);
      expect(cells[1], `${name}: value`).toBe('缺数据');
      expect(cells[3], `${name}: coverage`).toBe('缺数据（覆盖 0%）');
      expect(cells[4], `${name}: 同比`).toMatch(/无基期数据|数据不全/);
    }
    const card = page.getByRole('region', { name: '综合能耗', exact: true });
    expect(await card.textContent()).toContain('缺数据');
    expect(await card.textContent()).not.toMatch(/(^|\D)0 kgce/);
    // No building is ranked on missing figures; each says why.
    const ranking = page.getByRole('region', { name: '建筑能耗强度排名' });
    const rows = await rowCells(ranking, '未排名');
    expect(rows[2]).toBe('缺数据');
    expect(rows[3]).toMatch(/缺数据/);
    expect(await page.getByRole('region', { name: /总体状态/ }).textContent()).toMatch(/数据不全/);
    expect(await pageText(page)).not.toContain('缺数据（缺数据');
    expect(await pageText(page)).not.toMatch(/undefined|NaN/);
    expect(problems()).toEqual([]);
  });

  it('on 今日 says once that the report counts whole days, with links to where today’s use is live', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await page.getByRole('heading', { name: '能耗总览', level: 1 }).waitFor();
    await page.getByRole('radio', { name: '今日' }).check({ force: true });
    const note = page.getByRole('note').filter({ hasText: '报表按整日统计' });
    await note.waitFor();
    expect(await note.count()).toBe(1);
    expect(await page.getByRole('region', { name: '指标汇总' }).count()).toBe(0);
    expect(await pageText(page)).not.toMatch(/今日数据未满一天|覆盖 0%/);
    await note.getByRole('link', { name: '实时监测' }).waitFor();
    await note.getByRole('link', { name: '建筑与区域' }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/buildings');
    expect(problems()).toEqual([]);
  });

  it('shows the same numbers with English labels after the language switch', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await chooseCustom(page, '2025-12-01', '2025-12-31');
    const zh = await figuresTable(page);
    const names = ['综合能耗', '用水量', '单位建筑面积能耗', '人均综合能耗', '人均用水量'];
    const values = [];
    for (const name of names) values.push((await rowCells(zh, name))[1]);
    expect(values.every((v) => v && /\d/.test(v))).toBe(true);

    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.getByRole('heading', { name: 'Energy overview', level: 1 }).waitFor();
    const en = await figuresTable(page, 'Figures');
    const english = [
      'Total energy',
      'Water',
      'Energy per floor area',
      'Energy per person',
      'Water per person',
    ];
    for (const [i, name] of english.entries()) expect((await rowCells(en, name))[1]).toBe(values[i]);
    // Units in English too (kgce/person, not kgce/人).
    expect((await rowCells(en, 'Energy per person'))[2]).toBe('kgce/person');
    expect((await rowCells(en, 'Water per person'))[2]).toBe('m³/person');
    await expect
      .poll(() => page.getByTestId('compare-base').textContent())
      .toMatch(/^compared with 2024-12-01 to 2024-12-31/);
    await page.getByRole('button', { name: 'Export Excel' }).waitFor();
    await page.getByRole('columnheader', { name: 'This period' }).first().waitFor();
    // (The report's own sentences — status, plan note — are the API's, in Chinese.)
    expect(await pageText(page)).not.toMatch(/undefined|NaN/);
    await page.getByRole('radio', { name: '中文' }).check({ force: true });
    await page.getByRole('heading', { name: '能耗总览', level: 1 }).waitFor();
    expect(problems()).toEqual([]);
  });
});
