import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/** The 报表 screen in Chromium against jieneng start (the demo site with its simulated history). */
describe('the 报表 screen: the report builder, its files, the ledger form, upload and history', () => {
  const { site, browser } = consoleSuite();
  const dir = mkdtempSync(join(tmpdir(), 'jn-reports-test-'));

  const apiGet = async <T>(path: string, role: 'officer' | 'admin' = 'officer'): Promise<T> => {
    const r = await fetch(`${site().url}${path}`, { headers: site().headers(role) });
    expect(r.status).toBe(200);
    return (await r.json()) as T;
  };

  async function chooseRange(page: Page, from: string, to: string): Promise<void> {
    const start = page.getByPlaceholder('开始日期');
    await start.click();
    await start.fill(from);
    const end = page.getByPlaceholder('结束日期');
    await end.fill(to);
    await end.press('Enter');
    await expect.poll(() => start.inputValue()).toBe(from);
    await expect.poll(() => end.inputValue()).toBe(to);
  }

  /** The visible rows of an el-table found by its label, as arrays of cell texts. */
  async function tableRows(table: Locator): Promise<string[][]> {
    const rows = table.locator('.el-table__body-wrapper tr');
    const n = await rows.count();
    const out: string[][] = [];
    for (let i = 0; i < n; i++)
      out.push((await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim()));
    return out;
  }

  it('builds the report for a range as the officer: its tables show, each format downloads, the XLSX has its first figure', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await page.getByRole('menuitem', { name: '报表' }).click();
    await page.getByRole('heading', { name: '报表', level: 1 }).waitFor();
    await chooseRange(page, '2025-01-01', '2025-01-31');
    await page.getByRole('button', { name: '生成报表' }).click();

    const report = await apiGet<{
      comparisons: { scope: string; value: number | null }[];
      buildings: { id: string; name: string }[];
    }>('/api/v1/reports/intensity?from=2025-01-01&to=2025-01-31');
    const first = report.comparisons[0];
    const firstName = report.buildings.find((b) => b.id === first?.scope)?.name ?? '';
    const shown =
      first?.value === null || first?.value === undefined
        ? '缺数据'
        : new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 }).format(first.value);

    const summary = page.getByRole('region', { name: '报表摘要' });
    await expect.poll(() => summary.textContent()).toContain('2025-01-01 至 2025-01-31（含首尾，共 31 天）');
    const indicators = page.getByRole('region', { name: '指标与目标' });
    await expect
      .poll(async () => (await tableRows(indicators))[0]?.slice(0, 4))
      .toEqual([firstName, '单位建筑面积能耗', 'kgce/m²', expect.stringContaining(shown)]);
    for (const name of ['建筑与单位', '分类能耗', '缺数据清单', '电力分项', '排名', '折算系数与来源'])
      await page.getByRole('region', { name }).waitFor();
    // 同比 names its base period in words.
    await expect
      .poll(() => page.getByRole('region', { name: '同比' }).textContent())
      .toContain('2024-01-01 至 2024-01-31');

    const files: Record<string, string> = {};
    for (const [button, name] of [
      ['下载 XLSX', 'intensity_2025-01-01_2025-01-31.xlsx'],
      ['下载 PDF', 'intensity_2025-01-01_2025-01-31.pdf'],
      ['下载 CSV（zip）', 'intensity_2025-01-01_2025-01-31.csv.zip'],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(name);
      const file = join(dir, name);
      await download.saveAs(file);
      files[name] = file;
    }
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(files['intensity_2025-01-01_2025-01-31.xlsx'] ?? '');
    const sheet = wb.getWorksheet('指标');
    const head = sheet?.getRow(1).values as unknown[];
    const row = sheet?.getRow(2).values as unknown[];
    expect(row[head.indexOf('范围')]).toBe(firstName);
    const cell = row[head.indexOf('本期')];
    if (first?.value === null || first?.value === undefined) expect(cell ?? null).toBeNull();
    else expect(cell).toBeCloseTo(first.value, 5);
    expect(problems()).toEqual([]);
  });

  it('shows an uploaded CSV’s bad row by its row number, and the ledger has what the API took (nothing: all or none)', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await page.goto(`${site().url}/reports`);
    await page.getByRole('tab', { name: '台账录入' }).click();
    const csv = join(dir, '二月台账.csv');
    writeFileSync(
      csv,
      'building,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2024-02-01,2024-02-29,diesel,120,kg,二月加油卡\n' +
        'nope,2024-02-01,2024-02-29,diesel,80,kg,二月加油卡乙\n',
    );
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: '选择文件' }).first().click(),
    ]);
    await chooser.setFiles(csv);
    await page.getByText('已选择：二月台账.csv').waitFor();
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.getByRole('alert').filter({ hasText: '二月台账.csv 有 1 处问题，未导入任何一行' }).waitFor();
    await expect
      .poll(() => tableRows(page.getByRole('region', { name: '上传台账文件（CSV 或 XLSX）' })))
      .toEqual([['3', expect.stringMatching(/二月台账\.csv 第 3 行.*"nope".*没有这个建筑/)]]);

    // The API took nothing (all or none), and the history says the same.
    const stored = await apiGet<{ source: string }[]>('/api/v1/entries');
    expect(stored.some((e) => e.source.startsWith('二月加油卡'))).toBe(false);
    await page.getByRole('tab', { name: '台账记录' }).click();
    const entries = page.getByRole('region', { name: '能源台账' });
    await entries.waitFor();
    expect(await entries.textContent()).not.toContain('二月加油卡');

    // Fixed, the same file is taken whole and shows in the history and its audit.
    writeFileSync(
      csv,
      'building,period_start,period_end,energy_type,quantity,unit,source\n' +
        'zonghe-lou,2024-02-01,2024-02-29,diesel,120,kg,二月加油卡\n' +
        'fuwu-lou,2024-02-01,2024-02-29,diesel,80,kg,二月加油卡乙\n',
    );
    await page.getByRole('tab', { name: '台账录入' }).click();
    const [again] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: '选择文件' }).first().click(),
    ]);
    await again.setFiles(csv);
    await page.getByRole('button', { name: '上传并导入' }).click();
    await page.getByRole('status').filter({ hasText: '已导入 2 行（二月台账.csv）' }).waitFor();
    await page.getByRole('tab', { name: '台账记录' }).click();
    await expect.poll(() => entries.textContent()).toContain('二月加油卡乙');
    await expect
      .poll(async () => (await tableRows(page.getByRole('region', { name: '台账变更记录' })))[0]?.slice(1, 4))
      .toEqual(['上传台账文件', 'api:李科长:二月台账.csv', '2']);
    expect(problems()).toEqual([]);
  });

  it('enters a bill through the form as the officer; a refused one shows the API’s reason', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await page.goto(`${site().url}/reports`);
    await page.getByRole('tab', { name: '台账录入' }).click();
    const form = page.getByRole('region', { name: /录入能源台账/ });
    await form.getByLabel('建筑').click();
    await page.getByRole('option', { name: '综合办公楼' }).click();
    await form.getByLabel('账期开始').fill('2023-03-01');
    await form.getByLabel('账期开始').press('Enter');
    await form.getByLabel('账期结束').fill('2023-03-31');
    await form.getByLabel('账期结束').press('Enter');
    await form.getByLabel('能源类型').click({ force: true });
    await page.getByRole('option', { name: '汽油' }).click();
    await form.getByLabel('数量').fill('1200');
    await form.getByLabel('单位').click({ force: true });
    await page.getByRole('option', { name: 'L', exact: true }).click();
    await form.getByLabel('数据来源').fill('三月公务车加油卡');
    await form.getByRole('button', { name: '保存台账' }).click();
    await form.getByRole('status').filter({ hasText: '已保存 1 条' }).waitFor();
    const stored =
      await apiGet<{ source: string; unit_given: string; quantity: number }[]>('/api/v1/entries');
    expect(stored.find((e) => e.source === '三月公务车加油卡')).toMatchObject({ unit_given: 'L' });
    // The same period again overlaps the stored entry: refused, naming it.
    await form.getByLabel('数据来源').fill('三月公务车加油卡（重复）');
    await form.getByRole('button', { name: '保存台账' }).click();
    await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/三月公务车加油卡/);
    expect(problems()).toEqual([]);
  });

  it('shows the viewer the report and the ledger history, but no entry form and no upload', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    await page.getByRole('menuitem', { name: '报表' }).click();
    await page.getByRole('button', { name: '生成报表' }).waitFor();
    expect(await page.getByRole('tab', { name: '台账录入' }).count()).toBe(0);
    await page.getByRole('tab', { name: '台账记录' }).click();
    await page.getByText('只读：只有能源管理员和管理员可以录入或上传台账').waitFor();
    await page.getByRole('region', { name: '能源台账' }).waitFor();
    for (const name of ['保存台账', '上传并导入', '选择文件', '保存面积与人数'])
      expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });
});
