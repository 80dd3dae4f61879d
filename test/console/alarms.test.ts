import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { AlarmDb } from '../../core/alarms/db.ts';
import type { Alarm, AlarmSeverity, Condition } from '../../core/alarms/model.ts';
import { NotificationLog } from '../../core/alarms/notificationLog.ts';
import { consoleSuite, openConsole, settled, signIn } from '../helpers/console.ts';

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

/**
 * 报警 in Chromium against jieneng start. The demo site has no alarm at start, so the test makes
 * them as a detector would: conditions into the site's alarms.db (the alarm service publishes what
 * it did not write itself, so the page learns of them over the live stream as of any other). The
 * subjects are devices the demo does not have, so no detector of the running site clears them.
 * The tests run in order on one site: each builds on the alarms of the one before.
 */
describe('报警 and the alarm badge in Chromium against jieneng start', () => {
  const { site, browser } = consoleSuite();
  // Each page holds an event stream; the API allows a user a few at once: closed after each test.
  const contexts: BrowserContext[] = [];
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  /** A new page signed in as `role`, closed after the test. */
  async function signedIn(role: 'engineer' | 'officer' | 'viewer') {
    const c = await openConsole(browser());
    contexts.push(c.context);
    await signIn(c.page, site(), role);
    return c;
  }

  /** Reports a condition into the site's alarms.db, as the alarm engine does for a detector. */
  function observe(
    c: Omit<Condition, 'at'> & { at?: string },
    severity: AlarmSeverity = 'major',
    holdOffMs = 0,
  ): Alarm {
    const db = new AlarmDb(join(site().dataDir, 'alarms.db'), 'Asia/Shanghai');
    try {
      const now = Date.now();
      db.observe({ at: new Date(now).toISOString(), ...c }, { now, severity, holdOffMs });
      // What the alarm service does on its tick: a cleared, acknowledged alarm closes once the hold-off passed.
      if (!c.active) db.closeSettled(now, holdOffMs);
      const alarm = db.list({ status: 'all', rule: c.rule }).find((a) => a.key === c.key);
      if (!alarm) throw new Error(`no alarm ${c.rule}:${c.key} after observing it`);
      return alarm;
    } finally {
      db.close();
    }
  }
  const apiGet = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${site().url}${path}`, { headers: site().headers('admin') });
    expect(r.status).toBe(200);
    return (await r.json()) as T;
  };
  const counts = () =>
    apiGet<{ pending: number; in_progress: number; shelved: number }>('/api/v1/alarms/counts');

  /** The table of a list (its aria-label) and the body row of an alarm in it (by its message). */
  const table = (page: Page, name: string) =>
    page
      .getByRole('table', { name })
      .or(page.locator(`[aria-label="${name}"]`))
      .first();
  const row = (t: Locator, text: string) => t.locator('.el-table__body-wrapper tr').filter({ hasText: text });

  const tabText = async (page: Page, name: RegExp) =>
    ((await page.getByRole('tab', { name }).textContent()) ?? '').trim();

  async function openAlarms(page: Page) {
    await page.getByRole('navigation').getByRole('menuitem', { name: /^报警/ }).click();
    await page.getByRole('heading', { name: '报警', exact: true }).waitFor();
    await settled(page);
  }

  const outOfRange = {
    rule: 'out_of_range',
    key: 'zonghe-hvac/power_factor',
    active: true,
    message: 'zonghe-hvac power factor 0.62, below the 0.85 limit',
    message_zh: 'zonghe-hvac 功率因数 0.62，低于下限 0.85',
    building: 'zonghe-lou',
    device: 'zonghe-hvac',
    point: 'power_factor',
    value: 0.62,
  } as const;

  it('shows a raised alarm under 待处理 with its Chinese rule name and local time; the badge counts it on every screen', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    // At start: nothing pending, said in words.
    await page.getByText('暂无待处理报警').waitFor();

    const a = observe(outOfRange, 'critical');
    // Live: it appears without a reload.
    const pending = table(page, '待处理报警');
    const r = row(pending, outOfRange.message_zh);
    await r.waitFor();
    const cells = (await r.locator('td').allInnerTexts()).map((s) => s.trim());
    expect(cells[0]).toBe('紧急');
    expect(cells[1]).toBe('数值越限');
    expect(cells[2]).toBe('综合办公楼');
    expect(cells[3]).toBe('zonghe-hvac/power_factor');
    expect(cells[5]).toContain(localTime(a.raised_at));
    expect(cells[6]).toBe('持续中');
    // The tab's count is the API's (the demo raises none of its own at start: 1 then).
    await expect.poll(async () => tabText(page, /^待处理/)).toBe(`待处理（${(await counts()).pending}）`);
    expect((await counts()).pending).toBeGreaterThanOrEqual(1);

    // It clears and comes back within the hold-off: the same alarm, ×2; a point it stands for
    // (flood control) is counted in it: 影响 1 个.
    observe({ ...outOfRange, active: false }, 'critical', 600_000);
    observe(outOfRange, 'critical', 600_000);
    const db = new AlarmDb(join(site().dataDir, 'alarms.db'), 'Asia/Shanghai');
    try {
      db.affect({ rule: 'out_of_range', key: outOfRange.key }, 'zonghe-hvac/voltage_l1', Date.now());
    } finally {
      db.close();
    }
    await r.getByText('×2').waitFor();
    await r.getByText('影响 1 个').waitFor();

    // The badge on another screen: the bell in the header and the menu item say the API's count.
    await page.getByRole('navigation').getByRole('menuitem', { name: '实时监测' }).click();
    const n = (await counts()).pending;
    await page.getByRole('link', { name: `待处理报警 ${n} 条` }).waitFor();
    await page.getByRole('menuitem', { name: `报警 ${n} 条待处理` }).waitFor();
    // A second alarm raised while on that screen: the badge follows the stream.
    observe({
      rule: 'stale',
      key: 'fuwu-water',
      active: true,
      message: 'fuwu-water has sent no new reading for 2 h',
      message_zh: 'fuwu-water 已 2 小时没有新读数',
      building: 'fuwu-lou',
      device: 'fuwu-water',
    });
    await page.getByRole('link', { name: `待处理报警 ${n + 1} 条` }).waitFor();
    expect((await counts()).pending).toBe(n + 1);
    expect(problems()).toEqual([]);
  });

  it('lets the engineer acknowledge with a note: it moves to 处理中 and the drawer shows 王工 and the note', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    const a = observe(outOfRange, 'critical');
    await page.getByRole('button', { name: `确认报警 ${a.id}` }).click();
    const dialog = page.getByRole('dialog', { name: '确认报警' });
    await dialog.getByLabel('处理说明').fill('已到现场，冷机出水温度传感器松动，已紧固');
    await dialog.getByRole('button', { name: '确认', exact: true }).click();
    await page.getByText(`已确认报警 ${a.id}`).waitFor();
    await expect.poll(async () => row(table(page, '待处理报警'), outOfRange.message_zh).count()).toBe(0);

    await expect.poll(async () => tabText(page, /^处理中/)).toBe(`处理中（${(await counts()).in_progress}）`);
    await page.getByRole('tab', { name: /^处理中/ }).click();
    const inProgress = table(page, '处理中报警');
    const r = row(inProgress, outOfRange.message_zh);
    await r.waitFor();
    expect(await r.textContent()).toContain('王工');
    // A notification that failed (the channel's robot refused it) is in the drawer, in red with its error.
    const db = new AlarmDb(join(site().dataDir, 'alarms.db'), 'Asia/Shanghai');
    try {
      new NotificationLog(db, 'Asia/Shanghai').enqueue({
        alarmId: a.id,
        channel: 'wecom-ops',
        route: 'critical',
        kind: 'raise',
        body: '{}',
        now: Date.now(),
        status: 'failed',
        error: 'errcode 93000: invalid webhook url',
      });
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: `详情 ${a.id}` }).click();
    const trail = page
      .getByRole('table', { name: '处理记录' })
      .or(page.locator('[aria-label="处理记录"]'))
      .first();
    const ack = row(trail, '确认');
    await ack.waitFor();
    expect(await ack.textContent()).toContain('王工');
    expect(await ack.textContent()).toContain('已到现场，冷机出水温度传感器松动，已紧固');
    expect(await row(trail, '发生').first().textContent()).toContain('报警服务');
    const sent = page.getByRole('table', { name: '通知' }).or(page.locator('[aria-label="通知"]')).first();
    const failed = row(sent, 'wecom-ops');
    await failed.getByText('发送失败').waitFor();
    const error = failed.getByText('errcode 93000: invalid webhook url');
    // Red: Element Plus's danger colour (#f56c6c), beside the words 发送失败.
    const colour = await error.evaluate(
      (el) =>
        (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(el)
          .color,
    );
    expect(colour).toBe('rgb(245, 108, 108)');
    // What the API holds is what the page says.
    const detail = await apiGet<{ alarm: Alarm }>(`/api/v1/alarms/${a.id}`);
    expect(detail.alarm).toMatchObject({ acknowledged_by: '王工', list: 'in_progress' });
    expect(problems()).toEqual([]);
  });

  it('puts a cleared and acknowledged alarm under 已处理', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    const a = observe({ ...outOfRange, active: false });
    expect(a.state).toBe('closed');
    await page.getByRole('tab', { name: /^已处理/ }).click();
    const done = table(page, '已处理报警');
    const r = row(done, outOfRange.message_zh);
    await r.waitFor();
    const text = await r.textContent();
    expect(text).toContain('王工');
    expect(text).toContain(localTime(a.cleared_at ?? ''));
    expect(text).not.toContain('持续中');
    // The tab counts every closed alarm (the API's figure), not only the ones loaded.
    const closed = (await apiGet<{ alarms: Alarm[] }>('/api/v1/alarms?status=closed&list=done')).alarms;
    const { done: total } = await apiGet<{ done: number }>('/api/v1/alarms/counts');
    expect(total).toBe(closed.length);
    await expect.poll(async () => tabText(page, /^已处理/)).toBe(`已处理（${total}）`);
    expect(problems()).toEqual([]);
  });

  it('shelves an alarm until a time with a reason: the row says 已搁置至 … and why', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    const stale = (await apiGet<{ alarms: Alarm[] }>('/api/v1/alarms?rule=stale')).alarms[0];
    if (!stale) throw new Error('the stale alarm of the first test is gone');
    await page.getByRole('button', { name: `搁置报警 ${stale.id}`, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: '搁置报警' });
    // A reason is required: the page says so before asking the API.
    await dialog.getByLabel('搁置至').click();
    await page.getByText('4 小时', { exact: true }).click();
    await dialog.getByRole('button', { name: '搁置', exact: true }).click();
    await dialog.getByText('请填写搁置原因').waitFor();
    await dialog.getByLabel('原因').fill('电表更换中，厂家已到场');
    await dialog.getByRole('button', { name: '搁置', exact: true }).click();
    await page.getByText(`已搁置报警 ${stale.id}`).waitFor();
    const shelved = (await apiGet<{ alarm: Alarm }>(`/api/v1/alarms/${stale.id}`)).alarm;
    expect(shelved.shelve_reason).toBe('电表更换中，厂家已到场');
    const hours = (Date.parse(shelved.shelved_until ?? '') - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThanOrEqual(4);
    const r = row(table(page, '待处理报警'), 'fuwu-water 已 2 小时没有新读数');
    await r.getByText(`已搁置至 ${localTime(shelved.shelved_until ?? '')}：电表更换中，厂家已到场`).waitFor();
    // Shelved: not counted as pending, said beside the tabs; 取消搁置 is offered instead.
    await page.getByText('另有 1 条已搁置').waitFor();
    await page.getByRole('button', { name: `取消搁置报警 ${stale.id}` }).waitFor();
    expect(await page.getByRole('button', { name: `搁置报警 ${stale.id}`, exact: true }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('shows a viewer no action buttons, and an officer 确认 only on a data-rule alarm', async () => {
    const night = observe({
      rule: 'night_flow',
      key: 'fuwu-lou-water',
      active: true,
      message: 'water flowed all night: 0.8 m³ between 01:00 and 05:00',
      message_zh: '夜间持续用水：01:00–05:00 共 0.8 m³，疑似漏水',
      building: 'fuwu-lou',
    });
    const stale = (await apiGet<{ alarms: Alarm[] }>('/api/v1/alarms?rule=stale')).alarms[0];
    if (!stale) throw new Error('the stale alarm of the first test is gone');

    const viewer = await signedIn('viewer');
    await openAlarms(viewer.page);
    const vt = table(viewer.page, '待处理报警');
    await row(vt, night.message_zh).waitFor();
    await row(vt, 'fuwu-water 已 2 小时没有新读数').waitFor();
    expect(await vt.getByRole('button', { name: /^(确认|搁置|取消搁置|关闭)报警/ }).count()).toBe(0);
    // The details are there for everyone.
    await vt.getByRole('button', { name: `详情 ${night.id}` }).waitFor();
    expect(viewer.problems()).toEqual([]);

    const officer = await signedIn('officer');
    await openAlarms(officer.page);
    const ot = table(officer.page, '待处理报警');
    await row(ot, night.message_zh).waitFor();
    await ot.getByRole('button', { name: `确认报警 ${night.id}` }).waitFor();
    expect(await ot.getByRole('button', { name: `确认报警 ${stale.id}` }).count()).toBe(0);
    expect(await ot.getByRole('button', { name: /^(搁置|取消搁置)报警/ }).count()).toBe(0);
    // The officer acknowledges it: the API agrees.
    await ot.getByRole('button', { name: `确认报警 ${night.id}` }).click();
    await officer.page
      .getByRole('dialog', { name: '确认报警' })
      .getByRole('button', { name: '确认', exact: true })
      .click();
    await officer.page.getByText(`已确认报警 ${night.id}`).waitFor();
    expect((await apiGet<{ alarm: Alarm }>(`/api/v1/alarms/${night.id}`)).alarm.acknowledged_by).toBe(
      '李科长',
    );
    expect(officer.problems()).toEqual([]);
  });

  it('shows the API’s refusal as it is', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    // A cleared, unacknowledged alarm offers 关闭; it is closed meanwhile elsewhere (the CLI, another
    // engineer) while the dialog is open: the page's 关闭 is refused with the API's reason.
    const comm = {
      rule: 'comm_errors',
      key: 'test-gw-port',
      active: true,
      message: 'test-gw-port: 12 % of reads fail',
      message_zh: 'test-gw-port：12% 的读取失败',
    } as const;
    const a = observe(comm);
    observe({ ...comm, active: false });
    await row(table(page, '待处理报警'), comm.message_zh).waitFor();
    await page.getByRole('button', { name: `关闭报警 ${a.id}` }).click();
    const dialog = page.getByRole('dialog', { name: '关闭报警' });
    await dialog.getByLabel('处理说明').fill('通信已恢复');
    const r = await fetch(`${site().url}/api/v1/alarms/${a.id}/close`, {
      method: 'POST',
      headers: { ...site().headers('admin'), 'content-type': 'application/json' },
      body: JSON.stringify({ note: 'closed elsewhere' }),
    });
    expect(r.status).toBe(200);
    await dialog.getByRole('button', { name: '关闭', exact: true }).click();
    const refusal = dialog.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/操作未完成：.*报警 \d+ 已于 .* 关闭/s);
    expect(problems()).toEqual([]);
  });

  it('filters by severity, rule, building and local dates, saying when nothing matches', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    const pending = table(page, '待处理报警');
    const staleRow = row(pending, 'fuwu-water 已 2 小时没有新读数');
    await staleRow.waitFor();
    // 综合办公楼 has no pending alarm of these; 服务楼 has the stale one.
    await page.getByRole('combobox', { name: '建筑' }).click({ force: true });
    await page.getByRole('option', { name: '综合办公楼' }).click();
    await pending.getByText('没有符合筛选条件的报警').waitFor();
    await page.getByRole('combobox', { name: '建筑' }).click({ force: true });
    await page.getByRole('option', { name: '服务楼' }).click();
    await staleRow.waitFor();
    // Today (the site's local date) includes it; the severity 紧急 does not.
    await page.getByPlaceholder('开始日期').click();
    await page.getByText('今天', { exact: true }).click();
    await settled(page);
    await staleRow.waitFor();
    await page.getByRole('combobox', { name: '级别' }).click({ force: true });
    await page.getByRole('option', { name: '紧急' }).click();
    await pending.getByText('没有符合筛选条件的报警').waitFor();
    // 已处理 with the rule 数值越限: the alarm the engineer handled.
    await page.getByRole('button', { name: '重置' }).click();
    await page.getByRole('tab', { name: /^已处理/ }).click();
    await page.getByRole('combobox', { name: '规则' }).click({ force: true });
    await page.getByRole('option', { name: '数值越限' }).click();
    const done = table(page, '已处理报警');
    await row(done, outOfRange.message_zh).waitFor();
    await expect.poll(async () => row(done, 'test-gw-port').count()).toBe(0);
    expect(problems()).toEqual([]);
  });

  it('reads in English after the toggle', async () => {
    const { page, problems } = await signedIn('engineer');
    await openAlarms(page);
    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.getByRole('heading', { name: 'Alarms', exact: true }).waitFor();
    const n = (await counts()).pending;
    await page.getByRole('tab', { name: `Pending (${n})` }).waitFor();
    const pending = table(page, 'Pending alarms');
    const r = row(pending, 'fuwu-water has sent no new reading for 2 h');
    await r.waitFor();
    const text = await r.textContent();
    expect(text).toContain('Value not updating');
    expect(text).toContain('Major');
    expect(text).toMatch(/shelved until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d: 电表更换中/);
    await page.getByRole('link', { name: `${n} pending alarms` }).waitFor();
    await page.getByRole('radio', { name: '中文' }).check({ force: true });
    await page.getByRole('heading', { name: '报警', exact: true }).waitFor();
    // 取消搁置: back to a plain pending alarm, counted again.
    const stale = (await apiGet<{ alarms: Alarm[] }>('/api/v1/alarms?rule=stale')).alarms[0];
    if (!stale) throw new Error('the stale alarm of the first test is gone');
    await page.getByRole('button', { name: `取消搁置报警 ${stale.id}` }).click();
    await page.getByText(`已取消搁置报警 ${stale.id}`).waitFor();
    const back = row(table(page, '待处理报警'), 'fuwu-water 已 2 小时没有新读数');
    await expect.poll(async () => back.getByText(/已搁置至/).count()).toBe(0);
    await page.getByRole('button', { name: `搁置报警 ${stale.id}`, exact: true }).waitFor();
    await page.getByRole('link', { name: `待处理报警 ${n + 1} 条` }).waitFor();
    expect(problems()).toEqual([]);
  });
});
