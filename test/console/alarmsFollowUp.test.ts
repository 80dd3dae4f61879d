import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { Alarm, AlarmSeverity, Condition } from '../../core/alarms/model.ts';
import { consoleSuite, openConsole, settled, signIn } from '../helpers/console.ts';

/**
 * 报警 in Chromium against jieneng start, what an engineer does after seeing an alarm (issue 17):
 * follows it to its device, meter or building; exports the list as filtered; and, with the console
 * open, is told of a new alarm by a desktop notification and a sound when this browser's switches
 * say so. Alarms are made as a detector would: conditions into the site's alarms.db (the alarm
 * service publishes them; the page learns of them over the live stream).
 *
 * The desktop notification and the sound are observed in the page: an init script wraps
 * `window.Notification` (each notification the console creates is recorded, then made by the real
 * one) and counts `AudioScheduledSourceNode.prototype.start` (each tone of the chime). The
 * notification permission is granted in the browser context, as a user clicking 允许 would; a
 * context without the grant shows what a refusal looks like.
 */
describe('报警: links, export and alerts of new alarms in Chromium against jieneng start', () => {
  const { site, browser } = consoleSuite();
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  /** Records notifications and tones in the page (see above); CSP does not apply to init scripts. */
  const recorder = `
    window.__jn = { notifications: [], tones: 0 };
    const Real = window.Notification;
    if (Real) {
      class Recorded extends Real {
        constructor(title, options = {}) {
          super(title, options);
          window.__jn.notifications.push({ title, body: options.body, tag: options.tag });
        }
        static get permission() { return Real.permission; }
        static requestPermission(...args) { return Real.requestPermission(...args); }
      }
      window.Notification = Recorded;
    }
    const start = AudioScheduledSourceNode.prototype.start;
    AudioScheduledSourceNode.prototype.start = function (...args) {
      window.__jn.tones++;
      return start.apply(this, args);
    };
  `;
  type Recorded = { notifications: { title: string; body: string; tag: string }[]; tones: number };
  const recorded = (page: Page) => page.evaluate(() => (globalThis as unknown as { __jn: Recorded }).__jn);

  async function signedIn(options: { notifications?: boolean } = {}) {
    const c = await openConsole(browser());
    contexts.push(c.context);
    if (options.notifications) await c.context.grantPermissions(['notifications'], { origin: site().url });
    await c.context.addInitScript({ content: recorder });
    await signIn(c.page, site(), 'engineer');
    return c;
  }

  function observe(c: Omit<Condition, 'at'>, severity: AlarmSeverity = 'major'): Alarm {
    const db = new AlarmDb(join(site().dataDir, 'alarms.db'), 'Asia/Shanghai');
    try {
      const now = Date.now();
      db.observe({ at: new Date(now).toISOString(), ...c }, { now, severity, holdOffMs: 0 });
      const alarm = db.list({ status: 'all', rule: c.rule }).find((a) => a.key === c.key);
      if (!alarm) throw new Error(`no alarm ${c.rule}:${c.key} after observing it`);
      return alarm;
    } finally {
      db.close();
    }
  }
  const pendingCount = async () => {
    const r = await fetch(`${site().url}/api/v1/alarms/counts`, { headers: site().headers('viewer') });
    return ((await r.json()) as { pending: number }).pending;
  };

  const table = (page: Page, name: string) =>
    page
      .getByRole('table', { name })
      .or(page.locator(`[aria-label="${name}"]`))
      .first();
  const row = (t: Locator, text: string) => t.locator('.el-table__body-wrapper tr').filter({ hasText: text });

  /** An Element Plus switch as a person clicks it (its input is visually hidden inside), by its label. */
  const switchOf = (page: Page, name: string) => {
    const input = page.getByRole('switch', { name });
    return { input, visible: page.locator('.el-switch').filter({ has: input }) };
  };

  async function openAlarms(page: Page) {
    await page.getByRole('navigation').getByRole('menuitem', { name: /^报警/ }).click();
    await page.getByRole('heading', { name: '报警', exact: true }).waitFor();
    await settled(page);
  }

  // The demo's main meter of 综合办公楼 (device zonghe-main, meter zonghe-main).
  const reset = {
    rule: 'meter_reset',
    key: 'zonghe-main',
    active: true,
    message: 'meter 综合办公楼总表 (zonghe-main) went back from 51 234 to 0 kWh',
    message_zh: '表计 综合办公楼总表（zonghe-main）读数从 51234 回到 0 kWh',
    building: 'zonghe-lou',
    device: 'zonghe-main',
    point: 'import_energy',
    value: 0,
  } as const;

  it('links an alarm’s device to 实时监测, its meter and building to 建筑与区域; a gateway has no page, so no link', async () => {
    const { page, problems } = await signedIn();
    await openAlarms(page);
    observe(reset, 'critical');
    observe({
      rule: 'gateway_offline',
      key: 'test-gw-9',
      active: true,
      message: 'gateway test-gw-9 is offline',
      message_zh: '网关 test-gw-9 离线',
      gateway: 'test-gw-9',
    });
    const pending = table(page, '待处理报警');
    const r = row(pending, reset.message_zh);
    await r.waitFor();

    // The device (its point) → its 实时监测 page.
    await r.getByRole('link', { name: 'zonghe-main/import_energy' }).click();
    await page.waitForURL(/\/monitoring\/devices\/zonghe-main$/);
    await page.getByRole('heading', { level: 1, name: /设备详情.*zonghe-main/ }).waitFor();

    // The meter → its node of 建筑与区域.
    await page.goBack();
    await r.waitFor();
    await r.getByRole('link', { name: '表计：综合办公楼总表' }).click();
    await page.waitForURL(/\/buildings\?node=meter(:|%3A)zonghe-main$/);
    await page.getByRole('heading', { level: 2, name: '综合办公楼总表' }).waitFor();

    // The building → its node.
    await page.goBack();
    await r.waitFor();
    await r.getByRole('link', { name: '综合办公楼', exact: true }).click();
    await page.waitForURL(/\/buildings\?node=building(:|%3A)zonghe-lou$/);
    await page.getByRole('heading', { level: 2, name: '综合办公楼' }).waitFor();

    // The gateway's alarm: its text, no link (the console has no gateway page).
    await page.goBack();
    const gw = row(table(page, '待处理报警'), '网关 test-gw-9 离线');
    await gw.waitFor();
    await gw.getByText('test-gw-9', { exact: true }).waitFor();
    expect(await gw.getByRole('link').count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('exports the list as filtered, as Excel and as CSV: every matching alarm, Chinese columns, local times', async () => {
    const { page, problems } = await signedIn();
    await openAlarms(page);
    const pending = table(page, '待处理报警');
    await row(pending, reset.message_zh).waitFor();
    await page.getByRole('combobox', { name: '建筑' }).click({ force: true });
    await page.getByRole('option', { name: '综合办公楼' }).click();
    await settled(page);
    await expect.poll(async () => row(pending, '网关 test-gw-9 离线').count()).toBe(0);

    const dir = await mkdtemp(join(tmpdir(), 'jn-alarm-export-'));
    const exported = async (button: string) => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('group', { name: '导出' }).getByRole('button', { name: button }).click(),
      ]);
      const path = join(dir, file.suggestedFilename());
      await file.saveAs(path);
      return { name: file.suggestedFilename(), path };
    };
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

    const xlsx = await exported('导出 Excel');
    expect(xlsx.name).toBe(`报警-待处理-${today}.xlsx`);
    await page
      .getByRole('status')
      .filter({ hasText: `已下载 ${xlsx.name}` })
      .waitFor();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx.path);
    const ws = wb.getWorksheet('报警');
    if (!ws) throw new Error('no sheet 报警');
    const headers = (ws.getRow(1).values as ExcelJS.CellValue[]).slice(1).map(String);
    expect(headers.slice(0, 8)).toEqual([
      '编号',
      '级别',
      '规则',
      '处理状态',
      '报警状态',
      '建筑',
      '设备/点位',
      '说明',
    ]);
    const rows: Record<string, ExcelJS.CellValue>[] = [];
    ws.eachRow((r, n) => {
      if (n > 1) rows.push(Object.fromEntries(headers.map((h, i) => [h, r.getCell(i + 1).value])));
    });
    // The filter is the page's: 综合办公楼's pending alarms only, the gateway's not among them.
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.建筑 === '综合办公楼' && r.处理状态 === '待处理')).toBe(true);
    const mine = rows.find((r) => r.说明 === reset.message_zh);
    expect(mine).toMatchObject({ 级别: '紧急', 规则: '表计清零', '设备/点位': 'zonghe-main/import_energy' });

    const csv = await exported('导出 CSV');
    expect(csv.name).toBe(`报警-待处理-${today}.csv`);
    const bytes = readFileSync(csv.path);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toContain(reset.message_zh);
    expect(text).not.toContain('test-gw-9');
    // The raised time as the page shows it, local (the API's alarm says when).
    const a = (
      (await (
        await fetch(`${site().url}/api/v1/alarms?rule=meter_reset`, { headers: site().headers('viewer') })
      ).json()) as { alarms: Alarm[] }
    ).alarms[0];
    expect(text).toContain((a?.raised_at ?? '').slice(0, 19).replace('T', ' '));
    expect(problems()).toEqual([]);
  });

  it('alerts a new alarm on another screen with a desktop notification and a sound once switched on; remembered; off again, silent', async () => {
    const { page, problems } = await signedIn({ notifications: true });
    await openAlarms(page);
    const { input: desktop, visible: desktopSwitch } = switchOf(page, '桌面通知');
    const { input: sound, visible: soundSwitch } = switchOf(page, '提示音');
    // Off by default: a new alarm raises nothing but the badge.
    expect(await desktop.getAttribute('aria-checked')).toBe('false');
    expect(await sound.getAttribute('aria-checked')).toBe('false');

    await desktopSwitch.click();
    await expect.poll(async () => desktop.getAttribute('aria-checked')).toBe('true');
    await soundSwitch.click();
    await expect.poll(async () => sound.getAttribute('aria-checked')).toBe('true');
    // Turning the sound on plays the chime once (two tones), so the user hears what it will be.
    await expect.poll(async () => (await recorded(page)).tones).toBe(2);

    // On another screen, a new alarm: a notification with its severity, rule, building and message, and the chime.
    await page.getByRole('navigation').getByRole('menuitem', { name: '实时监测' }).click();
    const a = observe(
      {
        rule: 'out_of_range',
        key: 'zonghe-hvac/power_factor',
        active: true,
        message: 'zonghe-hvac power factor 0.62, below the 0.85 limit',
        message_zh: 'zonghe-hvac 功率因数 0.62，低于下限 0.85',
        building: 'zonghe-lou',
        device: 'zonghe-hvac',
        point: 'power_factor',
        value: 0.62,
      },
      'critical',
    );
    await expect
      .poll(async () => (await recorded(page)).notifications)
      .toEqual([
        {
          title: '新报警：紧急 · 数值越限',
          body: '综合办公楼：zonghe-hvac 功率因数 0.62，低于下限 0.85',
          tag: `jn-alarm-${a.id}`,
        },
      ]);
    await expect.poll(async () => (await recorded(page)).tones).toBe(4);

    // Remembered by this browser: on after a reload.
    await page.reload();
    await openAlarms(page);
    await expect.poll(async () => desktop.getAttribute('aria-checked')).toBe('true');
    await expect.poll(async () => sound.getAttribute('aria-checked')).toBe('true');

    // Both off: the next alarm reaches the badge and nothing else.
    await desktopSwitch.click();
    await soundSwitch.click();
    await expect.poll(async () => desktop.getAttribute('aria-checked')).toBe('false');
    await expect.poll(async () => sound.getAttribute('aria-checked')).toBe('false');
    const n = await pendingCount();
    observe({
      rule: 'stale',
      key: 'zonghe-power',
      active: true,
      message: 'zonghe-power has sent no new reading for 2 h',
      message_zh: 'zonghe-power 已 2 小时没有新读数',
      building: 'zonghe-lou',
      device: 'zonghe-power',
    });
    await page.getByRole('link', { name: `待处理报警 ${n + 1} 条` }).waitFor();
    await row(table(page, '待处理报警'), 'zonghe-power 已 2 小时没有新读数').waitFor();
    expect(await recorded(page)).toEqual({ notifications: [], tones: 0 });
    expect(problems()).toEqual([]);
  });

  it('says so when the browser refuses notifications, and leaves the switch off', async () => {
    // No grant: headless Chromium answers the permission request with a refusal, as a user's 阻止 does.
    const { page, problems } = await signedIn();
    await openAlarms(page);
    const { input: desktop, visible: desktopSwitch } = switchOf(page, '桌面通知');
    await desktopSwitch.click();
    await page.getByText('浏览器已拒绝本站的通知').waitFor();
    expect(await desktop.getAttribute('aria-checked')).toBe('false');
    expect(problems()).toEqual([]);
  });

  it('reads in English after the toggle', async () => {
    const { page, problems } = await signedIn();
    await openAlarms(page);
    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.getByRole('heading', { name: 'Alarms', exact: true }).waitFor();
    await switchOf(page, 'Desktop notification').visible.waitFor();
    await switchOf(page, 'Sound').visible.waitFor();
    const exports = page.getByRole('group', { name: 'Export' });
    await exports.getByRole('button', { name: 'Export Excel' }).waitFor();
    await exports.getByRole('button', { name: 'Export CSV' }).waitFor();
    await row(table(page, 'Pending alarms'), reset.message)
      .getByRole('link', { name: /^Meter: / })
      .waitFor();
    await page.getByRole('radio', { name: '中文' }).check({ force: true });
    await page.getByRole('heading', { name: '报警', exact: true }).waitFor();
    expect(problems()).toEqual([]);
  });
});
