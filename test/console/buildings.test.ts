import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiRange, periodOf, timeAt, todayAt } from '../../dashboards/web/src/period.ts';
import { meterLabel, type SiteTree } from '../../dashboards/web/src/screens/buildings/model.ts';
import { type ConsoleSite, consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/** 建筑与区域 as the energy officer uses it: the site's tree, a building's 分项, its 总分表平衡. */

const buildings = ['综合办公楼', '服务楼（食堂）', '档案与会议楼'];
const numberOf = (text: string) => Number(text.replaceAll(',', '').replace(/\s*kWh$/, ''));
const round2 = (v: number) => Math.round(v * 100) / 100;

interface Total {
  key: string;
  category: string;
  value: number;
}

/** What GET /api/v1/consumption says, read with an API token beside the page. */
async function consumption(site: ConsoleSite, query: string): Promise<Total[]> {
  const r = await fetch(`${site.url}/api/v1/consumption?${query}`, { headers: site.headers('officer') });
  expect(r.status).toBe(200);
  return ((await r.json()) as { totals: Total[] }).totals;
}

/** A data table's header texts and the cells of its body rows. */
async function tableOf(region: Locator): Promise<{ header: string[]; rows: string[][] }> {
  const header = (await region.getByRole('columnheader').allInnerTexts()).map((s) => s.trim());
  const rows: string[][] = [];
  for (const row of await region.getByRole('row').all()) {
    const cells = (await row.getByRole('cell').allInnerTexts()).map((s) => s.trim());
    if (cells.length > 0) rows.push(cells);
  }
  return { header, rows };
}

/** Refreshes the node's figures and waits until they are in. */
async function refreshed(page: Page): Promise<void> {
  await page.getByRole('button', { name: '刷新' }).click();
  await expect.poll(() => page.locator('[aria-busy="true"]').count()).toBe(0);
}

async function openBuilding(page: Page, site: ConsoleSite, name: string): Promise<void> {
  await signIn(page, site, 'officer');
  await page.getByRole('menuitem', { name: '建筑与区域' }).click();
  await page.getByRole('heading', { name: '建筑与区域', level: 1 }).waitFor();
  await page.getByRole('tree').getByText(name, { exact: true }).click();
  await page.getByRole('heading', { name, level: 2 }).waitFor();
}

describe('建筑与区域 in Chromium against jieneng start', () => {
  const { site, browser } = consoleSuite();

  it('shows 李科长 the tree of the three buildings and their meters; a building’s 分项 chart has 其他/未计量 and a table whose day total is the API’s', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'officer');
    await page.getByRole('menuitem', { name: '建筑与区域' }).click();
    const tree = page.getByRole('tree', { name: '组织、建筑、区域与计量表' });
    await tree.getByText('福州市机关事务管理局', { exact: true }).waitFor();
    for (const name of buildings) await tree.getByText(name, { exact: true }).waitFor();
    // Every meter of the site file, under its building (named there without the building's name).
    const siteTree = (await (
      await fetch(`${site().url}/api/v1/site/tree`, { headers: site().headers('officer') })
    ).json()) as SiteTree;
    const all = siteTree.organization.buildings.flatMap((b) => b.meters);
    expect(all.length).toBeGreaterThanOrEqual(18);
    for (const b of siteTree.organization.buildings) {
      const item = tree.getByRole('treeitem', { name: new RegExp(`^${b.name.replace(/[()（）]/g, '.')}`) });
      for (const m of b.meters)
        await item.getByText(meterLabel(m, b.name), { exact: true }).first().waitFor();
    }
    await tree.getByText('综合办公楼', { exact: true }).click();
    await page.getByRole('heading', { name: '综合办公楼', level: 2 }).waitFor();
    const chart = page.getByRole('region', { name: '分项用量（kWh）' });
    await chart.getByRole('row').nth(1).waitFor();
    // The chart's own description (ECharts aria) names the 分项 and 其他/未计量.
    await expect.poll(() => chart.locator('[aria-label*="其他/未计量"]').count()).toBeGreaterThan(0);
    const label = await chart.locator('[aria-label*="其他/未计量"]').first().getAttribute('aria-label');
    expect(label).toMatch(/照明插座、空调、动力、特殊、其他\/未计量/);

    // 本月: one row a day; the first day's 总表 is what the API says the building used that day
    // (the figures grow while the simulated building runs: refreshed until both are read alike).
    const month = periodOf('month', todayAt('Asia/Shanghai'));
    const columns = ['日期', '照明插座', '空调', '动力', '特殊', '其他/未计量', '分表合计', '总表'];
    await expect
      .poll(
        async () => {
          await refreshed(page);
          const { header, rows } = await tableOf(chart);
          const row = rows.find((r) => r[0] === month.from);
          // That day as the page asks for it (on the 1st, today: up to the last whole hour).
          const day = apiRange(
            periodOf(
              'custom',
              todayAt('Asia/Shanghai'),
              { from: month.from, to: month.from },
              timeAt('Asia/Shanghai'),
            ),
            'Asia/Shanghai',
          );
          const api = (
            await consumption(site(), `from=${day.from}&to=${encodeURIComponent(day.to)}&group_by=building`)
          ).find((t) => t.key === 'zonghe-lou' && t.category === 'electricity');
          return {
            columns: columns.every((c) => header.includes(c)),
            table: numberOf(row?.[header.indexOf('总表')] ?? 'NaN'),
            api: round2(api?.value ?? Number.NaN),
          };
        },
        { timeout: 90_000, interval: 3_000 },
      )
      .toSatisfy((r: { columns: boolean; table: number; api: number }) => r.columns && r.table === r.api);
    // Every day of the month so far has a row; a day without data would say 缺数据, never 0.
    const { rows } = await tableOf(chart);
    expect(rows.length).toBe(Number(todayAt('Asia/Shanghai').slice(8, 10)));
    expect(problems()).toEqual([]);
  });

  it('shows 总分表平衡 for a building: main, Σ sub-meters, their share and the verdict against ±5 %', async () => {
    const { page, problems } = await openConsole(browser());
    await openBuilding(page, site(), '综合办公楼');
    // The node is in the address: a reload (or a link) opens the same building.
    await expect.poll(() => new URL(page.url()).searchParams.get('node')).toBe('building:zonghe-lou');
    await page.reload();
    await page.getByRole('heading', { name: '综合办公楼', level: 2 }).waitFor();
    const balance = page.getByRole('region', { name: '总分表平衡' });
    await balance.getByText('判定标准：差额（总表 − 分表之和）占总表的比例在 ±5% 以内').waitFor();
    await balance.getByRole('row').nth(1).waitFor();
    await expect
      .poll(
        async () => {
          await refreshed(page);
          // The page's own period: this month up to the last whole hour (its base periods end there too).
          const month = apiRange(
            periodOf('month', todayAt('Asia/Shanghai'), undefined, timeAt('Asia/Shanghai')),
            'Asia/Shanghai',
          );
          const { header, rows } = await tableOf(balance);
          const row = rows.find((r) => r[0] === '综合办公楼') ?? [];
          const cell = (name: string) => row[header.indexOf(name)] ?? '';
          const totals = await consumption(
            site(),
            `from=${month.from}&to=${encodeURIComponent(month.to)}&group_by=meter`,
          );
          const value = (id: string) => totals.find((t) => t.key === id)?.value ?? 0;
          const main = value('zonghe-main');
          const subs = ['zonghe-lighting-socket', 'zonghe-hvac', 'zonghe-power', 'zonghe-special']
            .map(value)
            .reduce((a, b) => a + b, 0);
          const share = (main - subs) / main;
          return {
            main: numberOf(cell('总表')),
            subs: numberOf(cell('分表合计')),
            share: cell('差额占总表'),
            verdict: cell('判定'),
            apiMain: round2(main),
            apiSubs: round2(subs),
            apiShare: `${(Math.round(share * 1000) / 10).toFixed(1).replace(/\.0$/, '')}%`,
            apiVerdict:
              share < 0
                ? '分表之和大于总表'
                : Math.abs(share) <= 0.05
                  ? '平衡（在 ±5% 以内）'
                  : '不平衡（超出 ±5%）',
          };
        },
        { timeout: 90_000, interval: 3_000 },
      )
      .toSatisfy(
        (r: Record<string, string | number>) =>
          r.main === r.apiMain &&
          r.subs === r.apiSubs &&
          r.share === r.apiShare &&
          String(r.verdict).includes(String(r.apiVerdict)),
      );
    expect(problems()).toEqual([]);
  });
});
