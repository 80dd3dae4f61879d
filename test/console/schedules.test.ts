import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { consoleSuite, openConsole, signIn } from '../helpers/console.ts';

interface Day {
  date: string;
  type: string;
}

/** The 日程与日历 screen (issue 16) in Chromium against jieneng start on the demo site. */
describe('the 日程与日历 screen: calendar, schedule editor, history, preview', () => {
  const { site, browser } = consoleSuite();

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const r = await fetch(`${site().url}${path}`, {
      ...init,
      headers: { ...site().headers('admin'), 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    return (await r.json()) as T;
  };

  /** The first 工作日 after today in the site's calendar, as the API says. */
  const nextWorkday = async (): Promise<string> => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const end = new Date(Date.parse(`${today}T00:00:00+08:00`) + 20 * 86_400_000);
    const to = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(end);
    const { days } = await api<{ days: Day[] }>(`/api/v1/calendar?from=${today}&to=${to}`);
    const day = days.find((d) => d.date > today && d.type === 'workday');
    if (!day) throw new Error(`no workday between ${today} and ${to}`);
    return day.date;
  };

  const openScreen = async (page: Page) => {
    // The menu leads there (its item is checked by the shell's test); the address is quicker.
    await page.goto(`${site().url}/schedules`);
    await page.getByRole('heading', { level: 1, name: '日程与日历' }).waitFor();
  };

  /** The rows of the preview of `date` (its own section, headed by the date), as text. */
  const previewRows = (page: Page, date: string): Promise<string[]> =>
    page
      .getByRole('region', { name: new RegExp(`^${date} `) })
      .getByRole('row')
      .allInnerTexts();

  const addPreviewDay = async (page: Page, date: string) => {
    const input = page
      .getByRole('combobox', { name: '添加预览日期' })
      .or(page.getByLabel('添加预览日期'))
      .first();
    await input.fill(date);
    await input.press('Enter');
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: new RegExp(`^${date} `) }).waitFor();
  };

  /** Goes back or forward month by month until the calendar shows the cell labelled `label`. */
  const showMonth = async (page: Page, month: string, cell: Locator) => {
    const now = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' })
      .format(new Date())
      .slice(0, 7);
    const diff =
      (Number(month.slice(0, 4)) - Number(now.slice(0, 4))) * 12 +
      Number(month.slice(5)) -
      Number(now.slice(5));
    const button = page.getByRole('button', {
      name: diff < 0 ? /^(上个月|Previous Month)$/ : /^(下个月|Next Month)$/,
    });
    for (let i = 0; i < Math.abs(diff); i++) await button.click();
    await cell.waitFor();
  };

  it('a schedule edit shows in the preview; revert restores it (as the engineer 王工)', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await openScreen(page);
    const day = await nextWorkday();

    const editor = page.getByLabel('时间表（YAML）');
    await expect.poll(() => editor.inputValue()).toContain('id: zonghe-office-ac');
    const before = await editor.inputValue();
    expect(before).toContain('- { at: "08:00", value: 1 }');
    await editor.fill(before.replace('- { at: "08:00", value: 1 }', '- { at: "07:30", value: 1 }'));
    await page.getByText('校验通过').waitFor();
    await page.getByLabel('修改原因').fill('冬季提前开机');
    await page.getByRole('button', { name: '保存时间表' }).click();
    await page.getByText('时间表已保存为版本 1').waitFor();
    // The API agrees: version 1 is in force, starting at 07:30.
    const inForce = await api<{
      schedules: { schedule: { id: string; week: { workday: { at: string }[] } } }[];
    }>('/api/v1/schedules');
    expect(
      inForce.schedules.find((s) => s.schedule.id === 'zonghe-office-ac')?.schedule.week.workday[0]?.at,
    ).toBe('07:30');
    const history = page.getByRole('table').filter({ hasText: '版本 1' }).first();
    await expect.poll(() => history.textContent()).toMatch(/冬季提前开机/);

    await page.getByRole('tab', { name: '执行预览' }).click();
    await addPreviewDay(page, day);
    // The preview names the device and the point (the ids under the names).
    const zonghe = (rows: string[]) => rows.filter((r) => /zonghe-lou-f1-3-ac\s+开关\s+on_off\s+1\s/.test(r));
    await expect
      .poll(async () => zonghe(await previewRows(page, day)).map((r) => r.split(/\s/)[0]))
      .toEqual(['07:30']);
    const timeline = page.getByRole('region', { name: new RegExp(`^${day} `) });
    await timeline
      .getByText(/一至三层 办公区 空调 · 开关 ← 1（优先级 \d+）/)
      .first()
      .waitFor();
    expect(await timeline.textContent()).not.toMatch(/\(p\d+\)/);

    // Revert to the previous version: the site file's.
    await page.getByRole('tab', { name: '时间表' }).click();
    const siteRow = page
      .getByRole('row')
      .filter({ hasText: '站点文件' })
      .filter({ has: page.getByRole('button', { name: '恢复到此版本' }) });
    await siteRow.getByRole('button', { name: '恢复到此版本' }).click();
    await page.getByRole('dialog').getByRole('button', { name: '确定' }).click();
    await page.getByText('已恢复到 站点文件').waitFor();
    await expect.poll(() => editor.inputValue()).toContain('- { at: "08:00", value: 1 }');

    await page.getByRole('tab', { name: '执行预览' }).click();
    await expect
      .poll(async () => zonghe(await previewRows(page, day)).map((r) => r.split(/\s/)[0]))
      .toEqual(['08:00']);
    const preview = await api<{ actions: { at: string; device: string; point: string; value: number }[] }>(
      `/api/v1/schedules/preview?from=${day}&to=${day}`,
    );
    expect(
      preview.actions
        .filter((a) => a.device === 'zonghe-lou-f1-3-ac' && a.point === 'on_off' && a.value === 1)
        .map((a) => a.at),
    ).toEqual([`${day}T08:00:00+08:00`]);
    expect(problems()).toEqual([]);
  });

  it('shows 2026’s holidays by name and its 补班 days on the calendar; an engineer sets 台风停工 and removes it', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await openScreen(page);
    await page.getByRole('tab', { name: '工作日历' }).click();
    const national = page.getByRole('button', { name: '2026-10-01 节假日 国庆节，调整此日' });
    await showMonth(page, '2026-10', national);
    expect(await national.textContent()).toMatch(/^\s*1\s*节假日\s*国庆节/);
    const makeup = page.getByRole('button', { name: /^2026-10-10 补班/ });
    expect(await makeup.textContent()).toMatch(/^\s*10\s*补班/);
    // What the API says of these days.
    const { days } = await api<{ days: (Day & { holiday?: string })[] }>(
      '/api/v1/calendar?from=2026-10-01&to=2026-10-10',
    );
    expect(days.find((d) => d.date === '2026-10-01')).toMatchObject({ type: 'holiday', holiday: '国庆节' });
    expect(days.find((d) => d.date === '2026-10-10')).toMatchObject({ type: 'makeup_workday' });

    // A typhoon closure on a workday: a non-working day with its reason, then removed again.
    const closure = page.getByRole('button', { name: /^2026-10-09 工作日/ });
    await closure.click();
    const dialog = page.getByRole('dialog', { name: '调整 2026-10-09' });
    await dialog.getByRole('radio', { name: '节假日' }).check({ force: true });
    await dialog.getByLabel('说明').fill('台风停工');
    await dialog.getByRole('button', { name: '保存调整' }).click();
    const closed = page.getByRole('button', { name: '2026-10-09 节假日 台风停工，调整此日' });
    await closed.waitFor();
    expect(await closed.textContent()).toMatch(/节假日\s*台风停工\s*调整/);
    expect(
      (await api<{ days: Day[] }>('/api/v1/calendar?from=2026-10-09&to=2026-10-09')).days[0],
    ).toMatchObject({
      type: 'holiday',
      source: 'override',
    });
    await closed.click();
    await page
      .getByRole('dialog', { name: '调整 2026-10-09' })
      .getByRole('button', { name: '删除调整' })
      .click();
    await page.getByRole('button', { name: '2026-10-09 工作日，调整此日' }).waitFor();
    expect(problems()).toEqual([]);
  });

  it('warns on a month whose year’s statutory holidays the calendar data does not have (2027), and marks its days', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    await openScreen(page);
    await page.getByRole('tab', { name: '工作日历' }).click();
    const { days } = await api<{ days: { date: string; holidays_unknown?: boolean }[] }>(
      '/api/v1/calendar?from=2027-01-01&to=2027-01-01',
    );
    expect(days[0]?.holidays_unknown).toBe(true);
    const newYear = page.getByLabel(/^2027-01-01 工作日（2027 年法定节假日尚未收录）$/);
    await showMonth(page, '2027-01', newYear);
    await page
      .getByRole('alert')
      .filter({ hasText: '2027 年法定节假日尚未收录：节假日按普通日期处理，请以日历调整录入' })
      .waitFor();
    expect(await newYear.textContent()).toContain('节假日未收录');
    expect(problems()).toEqual([]);
  });

  it('shows the API’s problem while an invalid schedule is typed, and refuses to save it', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await openScreen(page);
    const versionsBefore = (await api<{ versions: unknown[] }>('/api/v1/schedules/zonghe-office-ac/history'))
      .versions.length;
    const editor = page.getByLabel('时间表（YAML）');
    await expect.poll(() => editor.inputValue()).toContain('id: zonghe-office-ac');
    const text = (await editor.inputValue()).replace(
      '- { at: "08:00", value: 1 }',
      '- { at: "25:00", value: 1 }',
    );
    await editor.fill(text);
    // What the API's validate route says of the same schedule.
    const body = (await api<{ schedules: { schedule: Record<string, unknown> }[] }>('/api/v1/schedules'))
      .schedules[0]?.schedule as { week: { workday: { at: string }[] } };
    body.week.workday[0] = { ...body.week.workday[0], at: '25:00' };
    const answer = await api<{ valid: boolean; problems: { path: string; message: string }[] }>(
      '/api/v1/schedules/validate',
      { method: 'POST', body: JSON.stringify(body), headers: { 'accept-language': 'zh-CN' } },
    );
    expect(answer.valid).toBe(false);
    const problem = answer.problems[0];
    if (!problem) throw new Error('validate found no problem');
    const list = page.getByRole('list', { name: /处问题$/ });
    await list.waitFor();
    const line = text.split('\n').findIndex((l) => l.includes('25:00')) + 1;
    await expect.poll(() => list.textContent()).toContain(`第 ${line} 行`);
    expect(await list.textContent()).toContain(problem.path);
    expect(await list.textContent()).toContain(problem.message);
    expect(await page.getByRole('button', { name: '保存时间表' }).isDisabled()).toBe(true);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    // A YAML syntax error is named with its line before anything is sent.
    await editor.fill(`${text}\nweek: [`);
    await expect.poll(() => list.textContent()).toMatch(/第 \d+ 行/);
    expect(await page.getByRole('button', { name: '保存时间表' }).isDisabled()).toBe(true);
    // Nothing was saved.
    const after = await api<{ versions: unknown[] }>('/api/v1/schedules/zonghe-office-ac/history');
    expect(after.versions).toHaveLength(versionsBefore);
    expect(problems()).toEqual([]);
  });

  it('sends a 加班 request for a zone from now for some hours, and shows what each device did', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'engineer');
    await openScreen(page);
    await page.getByRole('tab', { name: '加班' }).click();
    await page.getByLabel('楼栋/区域分组').first().click();
    await page.getByRole('option', { name: /^fuwu-office-ac/ }).click();
    await page.getByLabel('原因', { exact: true }).fill('迎检材料准备');
    await page.getByRole('button', { name: '提交加班' }).click();
    await page.getByText(/^加班已生效：fuwu-office-ac 至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/).waitFor();
    const rows = await page.getByRole('row').filter({ hasText: 'fuwu-lou-offices-ac' }).allInnerTexts();
    expect(rows.join('\n')).toMatch(/fuwu-lou-offices-ac\s+on_off\s+✓ 已执行/);
    // The device's priority array has the request at level 8 (the API beside the page).
    const point = await api<{
      levels: { level: number; value: unknown; source?: string; reason?: string }[];
    }>('/api/v1/points/fuwu-lou-offices-ac/on_off');
    expect(point.levels.find((l) => l.level === 8)).toMatchObject({ value: 1, source: 'user:王工' });
    expect(point.levels.find((l) => l.level === 8)?.reason).toContain('迎检材料准备');
    expect(problems()).toEqual([]);
  });

  it('shows the viewer schedules, history, preview and calendar with no edit controls', async () => {
    const { page, problems } = await openConsole(browser());
    await signIn(page, site(), 'viewer');
    await openScreen(page);
    await page.getByText('当前角色只能查看').waitFor();
    const editor = page.getByLabel('时间表（YAML）');
    await expect.poll(() => editor.inputValue()).toContain('id: zonghe-office-ac');
    expect(await editor.getAttribute('readonly')).not.toBeNull();
    await page.getByRole('table').filter({ hasText: '站点文件' }).first().waitFor();
    expect(await page.getByRole('button', { name: '保存时间表' }).count()).toBe(0);
    expect(await page.getByLabel('修改原因').count()).toBe(0);
    expect(await page.getByRole('button', { name: '恢复到此版本' }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: '加班' }).count()).toBe(0);
    await page.getByRole('tab', { name: '执行预览' }).click();
    await page
      .getByRole('region')
      .filter({ has: page.getByRole('row') })
      .first()
      .waitFor();
    await page.getByRole('tab', { name: '工作日历' }).click();
    const national = page.getByLabel('2026-10-01 节假日 国庆节', { exact: true });
    await showMonth(page, '2026-10', national);
    expect(await page.getByRole('button', { name: /调整此日/ }).count()).toBe(0);
    expect(problems()).toEqual([]);
  });
  it('reads in English too: every tab with its own words, weeks starting on Monday', async () => {
    const { page, problems } = await openConsole(browser(), { locale: 'en' });
    await signIn(page, site(), 'engineer');
    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.goto(`${site().url}/schedules`);
    await page.getByRole('heading', { level: 1, name: 'Schedules & calendar' }).waitFor();
    await page.getByText('Schedule (YAML)').waitFor();
    await page.getByRole('tab', { name: 'Preview' }).click();
    await page
      .getByRole('region')
      .filter({ has: page.getByRole('row') })
      .first()
      .waitFor();
    await page.getByRole('tab', { name: 'Working calendar' }).click();
    const national = page.getByRole('button', { name: '2026-10-01 Holiday 国庆节, change this day' });
    await showMonth(page, '2026-10', national);
    const head = await page.getByRole('columnheader').allTextContents();
    expect(head.map((h) => h.trim()).filter((h) => /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)$/.test(h))[0]).toBe('Mon');
    await page.getByRole('tab', { name: 'Overtime' }).click();
    await page.getByRole('button', { name: 'Request overtime' }).waitFor();
    expect(problems()).toEqual([]);
  });
});
