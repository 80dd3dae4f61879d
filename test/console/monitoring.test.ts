import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/** 5 weeks before today (site time): the simulated past gives the heat map its 4 weeks of hours. */
function fiveWeeksAgo(): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  return new Date(Date.parse(`${today}T00:00:00Z`) - 35 * 86_400_000).toISOString().slice(0, 10);
}

interface ApiDevice {
  device: string;
  availability: { state: 'online' | 'offline' } | null;
}

describe('实时监测 in Chromium (the engineer’s home) against jieneng start', () => {
  const { site, browser } = consoleSuite({ history: fiveWeeksAgo() });

  const devicesOfApi = async (): Promise<ApiDevice[]> => {
    const r = await fetch(`${site().url}/api/v1/devices`, { headers: site().headers('engineer') });
    expect(r.status).toBe(200);
    return (await r.json()) as ApiDevice[];
  };
  const deviceTable = (page: Page) => page.getByLabel('设备列表');
  const rowOf = (page: Page, device: string) =>
    deviceTable(page)
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: `查看设备 ${device}`, exact: true }) });

  it('shows every device of the demo with its online state, and a live value changes without a reload', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/monitoring');
    await page.getByRole('heading', { name: '实时监测', level: 1 }).waitFor();

    const devices = await devicesOfApi();
    expect(devices.length).toBeGreaterThan(20);
    await expect
      .poll(() =>
        deviceTable(page)
          .getByRole('link', { name: /^查看设备 / })
          .count(),
      )
      .toBe(devices.length);
    for (const d of devices.slice(0, 5)) {
      const word = { online: '在线', offline: '离线' }[d.availability?.state ?? 'online'];
      await expect.poll(() => rowOf(page, d.device).getByRole('cell').nth(3).textContent()).toContain(word);
    }
    // The gateway with its state.
    await expect
      .poll(() =>
        page
          .getByLabel('网关列表')
          .getByRole('row', { name: /gw-compound/ })
          .textContent(),
      )
      .toMatch(/在线|离线/);

    // A marker on window survives only if the page is never reloaded.
    await page.evaluate(() => {
      (globalThis as unknown as { jnMarker: string }).jnMarker = 'still here';
    });
    const value = rowOf(page, 'zonghe-main').getByRole('cell').nth(4);
    await expect.poll(() => value.textContent()).toMatch(/有功功率 [\d,.]+ kW/);
    const first = await value.textContent();
    await expect.poll(() => value.textContent(), { timeout: 60_000 }).not.toBe(first);
    expect(await page.evaluate(() => (globalThis as unknown as { jnMarker?: string }).jnMarker)).toBe(
      'still here',
    );
    expect(new URL(page.url()).pathname).toBe('/monitoring');
    // The live stream is open and said so.
    await expect.poll(() => page.getByRole('status', { name: '实时' }).count()).toBe(1);
    expect(problems()).toEqual([]);
  });

  it('narrows the list to the devices the API says are offline (the empty text says when there are none)', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await expect
      .poll(() =>
        deviceTable(page)
          .getByRole('link', { name: /^查看设备 / })
          .count(),
      )
      .toBeGreaterThan(20);
    await page.getByRole('radio', { name: /^离线/ }).check({ force: true });
    const offline = (await devicesOfApi())
      .filter((d) => d.availability?.state === 'offline')
      .map((d) => d.device);
    await expect
      .poll(() =>
        deviceTable(page)
          .getByRole('link', { name: /^查看设备 / })
          .count(),
      )
      .toBe(offline.length);
    if (offline.length === 0) await deviceTable(page).getByText('没有离线设备').waitFor();
    else for (const d of offline) await rowOf(page, d).waitFor();
    // The search narrows too, and says when nothing matches.
    await page.getByRole('radio', { name: /^全部/ }).check({ force: true });
    await page.getByLabel('搜索设备、网关或建筑').fill('zonghe-main');
    await expect
      .poll(() =>
        deviceTable(page)
          .getByRole('link', { name: /^查看设备 / })
          .count(),
      )
      .toBe(1);
    await page.getByLabel('搜索设备、网关或建筑').fill('no-such-device');
    await deviceTable(page).getByText('没有与“no-such-device”相符的设备').waitFor();
    expect(problems()).toEqual([]);
  });

  it('opens the device page of a meter: its points and the history chart’s table with min and max per bucket', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await page.getByRole('link', { name: '查看设备 zonghe-main', exact: true }).click();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/monitoring/devices/zonghe-main');
    const points = page.getByLabel('点位列表');
    await points.getByRole('row', { name: /总有功功率.*active_power/ }).waitFor();
    await points.getByRole('row', { name: /正向有功电能.*import_energy/ }).waitFor();
    expect(await points.getByRole('row', { name: /active_power/ }).textContent()).toMatch(/正常/);
    // Power in kW like the device list (not 339,626.75 W).
    expect(await points.getByRole('row', { name: /active_power/ }).textContent()).toMatch(/\d\s*kW/);

    const history = page.getByLabel('数据表：历史曲线：总有功功率');
    await history.getByRole('columnheader', { name: '最小值（kW）' }).waitFor();
    await history.getByRole('columnheader', { name: '最大值（kW）' }).waitFor();
    // Buckets with readings carry numbers; the minute before the site started is 缺数据, not 0.
    await expect
      .poll(() => history.getByRole('row', { name: /\d{2}:\d{2}:\d{2}.*\d+(\.\d+)?.*\d+/ }).count())
      .toBeGreaterThan(0);
    // Newest first.
    const times = (await history.getByRole('row').allTextContents()).flatMap(
      (x) => /\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?/.exec(x)?.[0] ?? [],
    );
    expect(times.length).toBeGreaterThan(1);
    expect([...times].sort().reverse()).toEqual(times);
    const chart = page.getByRole('region', { name: '历史曲线：总有功功率' });
    await expect
      .poll(() => chart.locator('[aria-label]').first().getAttribute('aria-label'))
      .toMatch(/最大值、平均值和最小值/);
    expect(problems()).toEqual([]);
  });

  it('says so when the live stream is lost, and keeps the values it had', async () => {
    const { page, context, problems } = await openConsole(browser());
    // The event stream cannot be reached (a proxy cut it): the browser keeps retrying.
    await context.route('**/api/v1/stream*', (route) => route.abort('connectionreset'));
    await signIn(page, site(), 'engineer');
    await page.getByRole('alert').filter({ hasText: '实时数据流已中断' }).waitFor();
    await expect
      .poll(() =>
        deviceTable(page)
          .getByRole('link', { name: /^查看设备 / })
          .count(),
      )
      .toBeGreaterThan(20);
    expect(problems().filter((p) => !/ERR_CONNECTION_RESET|api\/v1\/stream/.test(p))).toEqual([]);
  });

  it('reads in English too (every string in the catalogue), the device page included', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    await page.goto(`${site().url}/monitoring`);
    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.getByRole('heading', { name: 'Live monitoring', level: 1 }).waitFor();
    const table = page.getByLabel('Device list');
    await expect.poll(() => table.getByRole('link', { name: /^Open device / }).count()).toBeGreaterThan(20);
    await expect.poll(() => table.getByRole('row', { name: /circuits on/ }).count()).toBeGreaterThan(0);
    await page.getByRole('radio', { name: /^Bad/ }).check({ force: true });
    await page
      .getByRole('link', { name: /^Open device / })
      .or(table.getByText(/^No device with bad readings$/))
      .first()
      .waitFor();
    await page.goto(`${site().url}/monitoring/devices/zonghe-water`);
    await page
      .getByLabel('Point list')
      .getByRole('row', { name: /total_volume/ })
      .waitFor();
    await page
      .getByLabel(/^Data table.History: /)
      .getByRole('columnheader', { name: /^Max/ })
      .waitFor();
    expect(problems()).toEqual([]);
  });

  it('shows the after-hours heat map of a building with its after-hours share and its data table', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    const heat = page.getByRole('region', { name: /^非工作时间用电热力图/ }).last();
    await expect.poll(() => page.getByText(/非工作时间用电 [\d,.]+ kWh，占 [\d.]+%/).count()).toBe(1);
    await heat.getByRole('button', { name: '显示数据表' }).click();
    const table = page.getByLabel(/^数据表：非工作时间用电热力图/);
    await table.getByRole('row', { name: /周一.*08:00–09:00.*工作时间/ }).waitFor();
    await table.getByRole('row', { name: /周日.*03:00–04:00.*非工作时间/ }).waitFor();
    expect(problems()).toEqual([]);
  });
});
