import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

/** An instant as the console writes it: site local time (Asia/Shanghai), `2026-12-02 14:10:36`. */
function localTime(iso: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')}`;
}

const device = 'zonghe-lou-f1-3-ac';
const point = 'cooling_setpoint';

// The tests run in order on one site: the audit, officer and release tests read the first test's override.
describe('设备控制 and 审计日志 in Chromium against jieneng start (the simulated building)', () => {
  const { site, browser } = consoleSuite();

  /** What the API says of the point beside the page: its priority array. */
  const pointArray = async () => {
    const r = await fetch(`${site().url}/api/v1/points/${device}/${point}`, {
      headers: site().headers('viewer'),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as {
      effective: { value: number | null; level: number | null; source: string | null };
      levels: { level: number; value: number | null; source?: string; expires_at?: string }[];
    };
  };

  /** Signs in, opens 设备控制 from the menu, and picks the AC unit in the zone tree as a person would. */
  async function openUnit(page: Page, role: 'engineer' | 'officer' | 'admin') {
    await signIn(page, site(), role);
    await page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('menuitem', { name: '设备控制' })
      .click();
    await page.getByRole('treeitem', { name: '一至三层 办公区 空调', exact: true }).click();
    await page.getByRole('heading', { name: '一至三层 办公区 空调' }).waitFor();
    const writable = page.getByRole('region', { name: '可写点位（设定值、模式、开关）' });
    await writable.getByRole('row').filter({ hasText: '制冷设定温度' }).waitFor();
    await writable.getByRole('button', { name: '查看制冷设定温度的优先级数组' }).click();
    const array = page.getByRole('region', { name: '优先级数组：制冷设定温度' });
    await array.getByRole('row').filter({ hasText: '人工操作' }).waitFor();
    return { writable, array };
  }

  it('an engineer overrides the cooling setpoint to 27 °C for 1 h with a reason: the device follows, the array shows 王工 and the expiry', async () => {
    const { page, problems } = await openConsole(browser());
    const { writable, array } = await openUnit(page, 'engineer');
    // Writable and read-only points are apart, in sections with their own headings and labels.
    expect(await writable.getByRole('row').filter({ hasText: '可写' }).count()).toBeGreaterThanOrEqual(4);
    const readOnly = page.getByRole('region', { name: '只读点位（测量值与状态）' });
    await readOnly.getByRole('row').filter({ hasText: '室内温度' }).waitFor();
    expect(await readOnly.getByRole('row').filter({ hasText: '制冷设定温度' }).count()).toBe(0);

    await writable.getByRole('button', { name: '人工干预：制冷设定温度' }).click();
    const dialog = page.getByRole('dialog', { name: '人工干预：制冷设定温度' });
    await dialog.waitFor();
    // The allowed range is explained beside the value before sending (the API still decides).
    await dialog.getByText(/允许范围/).waitFor();
    await dialog.getByLabel('设定值（°C）').fill('27');
    // The duration offered first is 1 hour; an engineer is offered priorities 8–16 only.
    await dialog.getByText('1 小时').first().waitFor();
    await dialog.getByLabel('原因').fill('会议室临时调温');
    await dialog.getByRole('button', { name: '下发指令' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // The write and the device's read-back, on the page.
    const readBack = page.getByRole('status', { name: '写入与设备回读' });
    // Either the API's answer carries the read-back, or the page says it does not and watches the
    // device's reports (a write control defers: the unit had not reported since start).
    await readBack.getByText(/已写入，设备回读 27 °C（.+），与指令一致|API 的应答中没有设备回读/).waitFor();
    await readBack.getByText(/设备上报 27 °C（.+）：已跟随指令/).waitFor({ timeout: 60_000 });
    // A read-back equal to the command is the device following: never 尚未跟随 beside it, and the
    // row's 设备上报 says 27 °C at once.
    if (await readBack.getByText(/已写入，设备回读 27 °C/).count()) {
      expect(await readBack.getByText(/尚未跟随/).count()).toBe(0);
      expect(
        await writable
          .getByRole('row')
          .filter({ hasText: '制冷设定温度' })
          .getByRole('cell')
          .nth(3)
          .textContent(),
      ).toMatch(/^27 °C/);
    }

    // The priority array: level 8 held by 王工 until an hour from now, in local time, and in effect.
    const api = await pointArray();
    const slot = api.levels.find((l) => l.level === 8);
    expect(slot).toMatchObject({ value: 27, source: 'user:王工' });
    const expires = slot?.expires_at ?? '';
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(55 * 60_000);
    const row = array.getByRole('row').filter({ hasText: '人工操作' });
    await row.filter({ hasText: '王工' }).waitFor();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('27 °C');
    expect(text).toContain(localTime(expires));
    expect(text).toContain('会议室临时调温');
    expect(text).toContain('生效中');
    expect(await writable.getByRole('row').filter({ hasText: '制冷设定温度' }).textContent()).toContain(
      '优先级 8 · 王工',
    );
    expect(problems()).toEqual([]);
  });

  it('a cooling setpoint of 18 °C is refused with the API’s reason in the dialog, and nothing is written', async () => {
    const { page, problems } = await openConsole(browser());
    const { writable } = await openUnit(page, 'engineer');
    const before = await pointArray();
    await writable.getByRole('button', { name: '人工干预：制冷设定温度' }).click();
    const dialog = page.getByRole('dialog', { name: '人工干预：制冷设定温度' });
    // The range the API enforces is said before sending (the 26 °C rule up to the site's 28 °C).
    await dialog.getByText('允许范围：26–28 °C').waitFor();
    await dialog.getByLabel('设定值（°C）').fill('18');
    await dialog.getByLabel('原因').fill('太热了');
    await dialog.getByRole('status').filter({ hasText: '此值超出允许范围' }).waitFor();
    await dialog.getByRole('button', { name: '下发指令' }).click();
    const alert = dialog.getByRole('alert').filter({ hasText: '未写入：指令被拒绝' });
    await alert.waitFor();
    // The API's own detail, as it is: the 26 °C rule with its source.
    const reason = (await alert.textContent()) ?? '';
    expect(reason).toContain('18 °C 低于政策下限 26 °C');
    expect(reason).toContain('福建省公共机构节能管理办法');
    expect(await dialog.isVisible()).toBe(true);

    // Nothing written: the array is as it was, and control's audit has the refusal as the newest line.
    expect((await pointArray()).levels).toEqual(before.levels);
    const audit = await fetch(`${site().url}/api/v1/control/audit?device=${device}&point=${point}&limit=1`, {
      headers: site().headers('viewer'),
    });
    const [newest] = ((await audit.json()) as { entries: { outcome: string; requested: number }[] }).entries;
    expect(newest).toMatchObject({ outcome: 'rejected', requested: 18 });

    // A value outside the point's range (fan speed 1–3) is refused the same way.
    await dialog.getByRole('button', { name: '取消' }).click();
    await writable.getByRole('button', { name: '人工干预：风速' }).click();
    const fan = page.getByRole('dialog', { name: '人工干预：风速' });
    await fan.getByLabel('设定值').fill('9');
    await fan.getByLabel('原因').fill('试试');
    await fan.getByRole('button', { name: '下发指令' }).click();
    await fan
      .getByRole('alert')
      .filter({ hasText: /未写入：指令被拒绝.*9 高于设备量程 1…3/s })
      .waitFor();
    expect(problems()).toEqual([]);
  });

  it('the audit screen shows the override: the API audit and its intact chain for the admin 张管理, the control audit for the engineer', async () => {
    const admin = await openConsole(browser());
    await signIn(admin.page, site(), 'admin');
    await admin.page
      .getByRole('navigation', { name: '主导航' })
      .getByRole('menuitem', { name: '审计日志' })
      .click();
    const platform = admin.page.getByRole('tabpanel', { name: '平台操作审计' });
    const line = platform
      .getByRole('row')
      .filter({ hasText: '人工干预' })
      .filter({ hasText: '王工' })
      .filter({ hasText: `${device}/${point} · P8` })
      .filter({ hasText: '成功' });
    await line.first().waitFor();
    // The action in words, the route it was behind it.
    await line.first().getByLabel('人工干预（PUT /api/v1/points/:device/:point/override）').waitFor();
    await platform.getByText(/审计链完整：共 \d+ 条记录/).waitFor();
    // Filtered by user, only 王工's lines remain.
    await platform.getByLabel('用户').fill('王工');
    await platform.getByRole('button', { name: '搜索' }).click();
    await expect
      .poll(async () => {
        const rows = await platform.locator('tbody tr').allTextContents();
        return rows.length > 0 && rows.every((r) => r.includes('王工'));
      })
      .toBe(true);
    expect(admin.problems()).toEqual([]);

    const engineer = await openConsole(browser());
    await signIn(engineer.page, site(), 'engineer');
    await engineer.page.goto(`${site().url}/audit`);
    const control = engineer.page.getByRole('tabpanel', { name: '控制指令记录' });
    const write = control
      .getByRole('row')
      .filter({ hasText: `${device}/${point}` })
      .filter({ hasText: '王工' })
      .filter({ hasText: '写入设备' })
      .filter({ hasText: '已写入' });
    await write.first().waitFor();
    expect(await write.first().textContent()).toMatch(/27.*27/);
    // The engineer has no platform audit (admins only).
    expect(await engineer.page.getByRole('tab', { name: '平台操作审计' }).count()).toBe(0);

    // The ledger's audit: an officer's entry through the API, with where it came from and its rows.
    const entry = await fetch(`${site().url}/api/v1/entries`, {
      method: 'POST',
      headers: { ...site().headers('officer'), 'content-type': 'application/json' },
      body: JSON.stringify({
        building: 'zonghe-lou',
        period_start: '2025-03-01',
        period_end: '2025-03-31',
        energy_type: 'diesel',
        quantity: 0.62,
        unit: 't',
        source: '3月加油卡',
      }),
    });
    expect(entry.status).toBeLessThan(300);
    await engineer.page.getByRole('tab', { name: '台账变更记录' }).click();
    const ledger = engineer.page.getByRole('tabpanel', { name: '台账变更记录' });
    await ledger.getByRole('row').filter({ hasText: '录入能源账单' }).filter({ hasText: 'api:' }).waitFor();
    expect(engineer.problems()).toEqual([]);
  });

  it('the officer sees the points and the priority array but no override or release button', async () => {
    const { page, problems } = await openConsole(browser());
    const { writable, array } = await openUnit(page, 'officer');
    await page.getByRole('note').filter({ hasText: '只读' }).waitFor();
    expect(await array.getByRole('row').count()).toBe(18); // the header, 16 levels, the default
    await array.getByRole('row').filter({ hasText: '人工操作' }).filter({ hasText: '王工' }).waitFor();
    expect(await writable.getByRole('row').filter({ hasText: '制冷设定温度' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /人工干预/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /撤销/ }).count()).toBe(0);

    // Live, without a reload: an engineer's override through the API shows in the officer's table.
    const put = await fetch(`${site().url}/api/v1/points/${device}/heating_setpoint/override`, {
      method: 'PUT',
      headers: { ...site().headers('engineer'), 'content-type': 'application/json' },
      body: JSON.stringify({ value: 18, for: '30min', reason: '夜间值班' }),
    });
    expect(put.status).toBe(200);
    await writable
      .getByRole('row')
      .filter({ hasText: '制热设定温度' })
      .filter({ hasText: /18 °C.*优先级 8 · / })
      .waitFor();

    // The zone: its equipment side by side with the setpoints and modes in effect.
    await page.getByRole('tree').getByText('综合办公楼 办公区空调', { exact: true }).click();
    const zone = page.getByRole('region', { name: '综合办公楼 办公区空调：各设备的设定值、模式与开关' });
    await zone
      .getByRole('row')
      .filter({ hasText: '一至三层 办公区 空调' })
      .filter({ hasText: '27 °C P8' })
      .waitFor();
    expect(await zone.getByRole('row').filter({ hasText: '四至八层 办公区 空调' }).count()).toBe(1);
    expect(problems()).toEqual([]);
  });

  it('at 1024×768 the 人工干预 button and the array’s 状态 and 撤销 columns are on the screen', async () => {
    const { page, problems } = await openConsole(browser(), { viewport: { width: 1024, height: 768 } });
    const { writable, array } = await openUnit(page, 'admin');
    const within = async (name: string) => {
      const box = await page.getByRole('button', { name }).first().boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(1024);
    };
    await writable.getByRole('button', { name: '人工干预：制冷设定温度' }).waitFor();
    await within('人工干预：制冷设定温度');
    await within('撤销优先级 8');
    const state = await array.getByRole('columnheader', { name: '状态' }).boundingBox();
    expect((state?.x ?? 0) + (state?.width ?? 0)).toBeLessThanOrEqual(1024);
    expect(problems()).toEqual([]);
  });

  it('a viewer has no 设备控制: not in the menu, and its address leads home', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    const menu = page.getByRole('navigation', { name: '主导航' });
    await menu.getByRole('menuitem', { name: '实时监测' }).waitFor();
    expect(await menu.getByRole('menuitem', { name: '设备控制' }).count()).toBe(0);
    await page.goto(`${site().url}/control`);
    await expect.poll(() => new URL(page.url()).pathname).not.toBe('/control');
    expect(await page.getByRole('button', { name: /人工干预/ }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('the engineer releases the override: level 8 empties and the default is in effect again', async () => {
    const { page, problems } = await openConsole(browser());
    const { array } = await openUnit(page, 'engineer');
    await array.getByRole('button', { name: '撤销优先级 8' }).click();
    await page.getByRole('dialog', { name: '撤销人工干预' }).getByRole('button', { name: '撤销' }).click();
    await expect.poll(async () => (await pointArray()).levels.find((l) => l.level === 8)?.value).toBeNull();
    await array.getByRole('row').filter({ hasText: '人工操作' }).filter({ hasNotText: '王工' }).waitFor();
    await array
      .getByRole('row')
      .filter({ hasText: '默认值（无指令时）' })
      .filter({ hasText: '生效中' })
      .waitFor();
    expect(problems()).toEqual([]);
  });
});
