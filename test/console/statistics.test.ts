import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/**
 * The 报表 screen's 统计报表 tab in Chromium against jieneng start (the demo site, its simulated
 * history and demo tariffs): a viewer builds the 2025 return, reads its check list and form, and
 * downloads the XLSX, whose cells are the figures the page shows.
 */
describe('the 报表 screen: the annual statistics return', () => {
  const { site, browser } = consoleSuite();
  const dir = mkdtempSync(join(tmpdir(), 'jn-statistics-test-'));

  async function tableRows(table: Locator): Promise<string[][]> {
    const rows = table.locator('.el-table__body-wrapper tr');
    const out: string[][] = [];
    for (let i = 0; i < (await rows.count()); i++)
      out.push((await rows.nth(i).locator('td').allInnerTexts()).map((s) => s.trim()));
    return out;
  }

  it('builds the 2025 return as a viewer: no gaps, the form’s rows with computed costs, the XLSX with the same cells', async () => {
    const r = await fetch(`${site().url}/api/v1/reports/statistics?year=2025`, {
      headers: site().headers('viewer'),
    });
    expect(r.status).toBe(200);
    const api = (await r.json()) as {
      ready: boolean;
      rows: { label: string; quantity: number | null; cost_yuan: number | null }[];
    };
    const electricity = api.rows[0];
    expect(electricity?.label).toBe('电');
    expect(electricity?.quantity).toBeGreaterThan(0);

    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    await page.goto(`${site().url}/reports`);
    await page.getByRole('tab', { name: '统计报表' }).click();
    await page.getByRole('button', { name: '生成统计报表' }).click();
    await page.getByText('核对清单无缺项，可以报送').waitFor();
    const amount = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 3 });
    const money = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const form = page.getByRole('region', { name: '能源资源消费状况' });
    await expect
      .poll(async () => (await tableRows(form)).slice(0, 3).map((row) => row.slice(0, 6)))
      .toEqual([
        [
          '1',
          '电',
          '千瓦时',
          amount.format(electricity?.quantity ?? 0),
          money.format(electricity?.cost_yuan ?? 0),
          '计算值',
        ],
        [
          '2',
          '水',
          '吨',
          amount.format(api.rows[1]?.quantity ?? 0),
          money.format(api.rows[1]?.cost_yuan ?? 0),
          '计算值',
        ],
        ['3', '煤炭', '吨', '本年无记录', '', ''],
      ]);
    const basic = page.getByRole('region', { name: '公共机构基本信息' });
    expect((await tableRows(basic)).map((row) => row.slice(0, 2))).toEqual([
      ['单位名称', '福州市机关事务管理局'],
      ['单位性质', '01 国家机关'],
      ['建筑面积', '40,000 m²'],
      ['用能人数', '1,200 人'],
      ['编制人数', '1,050 人'],
      ['使用人数', '1,200 人'],
    ]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: '下载统计报表 XLSX' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('statistics_2025.xlsx');
    const file = join(dir, 'statistics_2025.xlsx');
    await download.saveAs(file);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('基层表');
    expect(ws?.getCell(13, 2).value).toBe('电');
    expect(ws?.getCell(13, 4).value).toBe(electricity?.quantity);
    expect(ws?.getCell(13, 5).value).toBe(electricity?.cost_yuan);
    expect(problems()).toEqual([]);
  });
});
