import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ConsoleSite,
  launchBrowser,
  openConsole,
  settled,
  signIn,
  startConsoleSite,
} from '../helpers/console.ts';

describe('the console shell in Chromium (login, menus by role, language) against jieneng start', () => {
  let site: ConsoleSite;
  let browser: Browser;
  beforeAll(async () => {
    [site, browser] = await Promise.all([startConsoleSite(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });

  it('serves the console at / and sends a visitor without a session to the login page', async () => {
    // jieneng start says where the console is.
    expect(site.cli.stdout()).toMatch(/console: http:\/\/127\.0\.0\.1:\d+\/ \(web console\)/);
    // …and that the years it shows are the simulator's, made up (the demo's history).
    expect(site.cli.stdout()).toMatch(
      /history: simulated consumption 2020-01-01 … \d{4}-\d\d-\d\d \(\d+ rollups; demo data/,
    );
    const { page, problems } = await openConsole(browser);
    await page.goto(site.url);
    await expect.poll(() => page.url()).toMatch(/\/login$/);
    await page.getByRole('button', { name: '登录' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(problems()).toEqual([]);
  });

  it('refuses a wrong password with the API’s reason, and keeps the visitor on the login page', async () => {
    const { page } = await openConsole(browser);
    await page.goto(`${site.url}/login`);
    await page.getByLabel('用户名').fill('王工');
    await page.getByLabel('密码', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: '登录' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/登录失败.*(用户名或密码|密码)/s);
    expect(page.url()).toMatch(/\/login$/);
  });

  it.each([
    ['admin', '/overview', ['能耗总览', '报表', '实时监测', '设备控制', '审计日志', '用户与令牌'], []],
    ['officer', '/overview', ['能耗总览', '报表', '设备控制'], ['用户与令牌']],
    ['engineer', '/monitoring', ['实时监测', '设备控制', '日程与日历'], ['用户与令牌']],
    ['viewer', '/overview', ['能耗总览', '实时监测'], ['设备控制', '用户与令牌', '审计日志']],
  ] as const)(
    'signs in as %s: starts on %s, and the menu shows what the role may use',
    async (role, home, shown, hidden) => {
      const { page, problems } = await openConsole(browser);
      await signIn(page, site, role);
      await expect.poll(() => new URL(page.url()).pathname).toBe(home);
      const menu = page.getByRole('navigation', { name: '主导航' });
      for (const name of shown) await expect.poll(() => menu.getByRole('menuitem', { name }).count()).toBe(1);
      for (const name of hidden) expect(await menu.getByRole('menuitem', { name }).count()).toBe(0);
      // A page the role may not see sends it home instead of showing controls it cannot use.
      if (role === 'viewer') {
        await page.goto(`${site.url}/users`);
        await expect.poll(() => new URL(page.url()).pathname).toBe('/overview');
      }
      expect(problems()).toEqual([]);
    },
  );

  it('switches to English and back, and keeps the choice across a reload', async () => {
    const { page } = await openConsole(browser);
    await signIn(page, site, 'officer');
    await page.getByRole('radio', { name: 'English' }).check({ force: true });
    await page.getByRole('menuitem', { name: 'Energy overview' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await page.reload();
    await page.getByRole('menuitem', { name: 'Energy overview' }).waitFor();
    await page.getByRole('radio', { name: '中文' }).check({ force: true });
    await page.getByRole('menuitem', { name: '能耗总览' }).waitFor();
  });

  it('shows every screen of the menu at 1366×768 and on a 1024×768 tablet: its heading, nothing wider than the window, Chinese in a CJK font', async () => {
    for (const viewport of [
      { width: 1366, height: 768 },
      { width: 1024, height: 768 },
    ]) {
      const { page, context, problems } = await openConsole(browser, { viewport });
      await signIn(page, site, 'admin');
      const cdp = await context.newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const menu = page.getByRole('navigation', { name: '主导航' });
      const items = menu.getByRole('menuitem');
      const count = await items.count();
      expect(count).toBeGreaterThanOrEqual(9);
      for (let i = 0; i < count; i++) {
        const item = items.nth(i);
        // On the tablet the menu is folded to icons: the name is the item's accessible name.
        // 报警's name carries its count badge while alarms are pending (`报警 1 条待处理`); its heading does not.
        const name = ((await item.getAttribute('aria-label')) ?? '').replace(/\s+\d+\s*条待处理$/, '');
        await item.click();
        await page.getByRole('heading', { level: 1, name }).waitFor();
        await settled(page);
        const overflow = await page
          .locator('#main')
          .evaluate((m: { scrollWidth: number; clientWidth: number }) => m.scrollWidth - m.clientWidth);
        expect(
          overflow,
          `${name} at ${viewport.width}px: wider than the window by ${overflow}px`,
        ).toBeLessThanOrEqual(1);
        // Up to 30 elements whose own text is Chinese: each drawn with a CJK font's glyphs.
        const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
        const { nodeIds } = await cdp.send('DOM.querySelectorAll', {
          nodeId: root.nodeId,
          selector: '#main *',
        });
        let checked = 0;
        for (const nodeId of nodeIds) {
          if (checked >= 30) break;
          const { fonts } = await cdp
            .send('CSS.getPlatformFontsForNode', { nodeId })
            .catch(() => ({ fonts: [] }));
          if (fonts.length === 0) continue;
          const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
          if (!/[\u4e00-\u9fff]/.test(outerHTML.replace(/<[^>]*>/g, ''))) continue;
          checked++;
          expect(
            fonts.some((f) => /WenQuanYi|Noto Sans CJK|Droid Sans Fallback/.test(f.familyName)),
            `${name}: ${outerHTML.slice(0, 120)} drawn in ${fonts.map((f) => f.familyName).join(', ')}`,
          ).toBe(true);
        }
      }
      expect(problems()).toEqual([]);
      await context.close();
    }
  });

  it('renders its Chinese text in a CJK font installed on the machine, not as tofu', async () => {
    const { page, context } = await openConsole(browser);
    await signIn(page, site, 'officer');
    const cdp = await context.newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', {
      nodeId: root.nodeId,
      selector: '.jn-brand-sub',
    });
    const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
    // The page's glyphs of 能源管理与楼宇控制平台 come from a real CJK font (WenQuanYi from scripts/setup).
    expect(fonts.map((f) => f.familyName).join(', ')).toMatch(/WenQuanYi|Noto Sans CJK|Droid Sans Fallback/);
    expect(fonts.every((f) => f.glyphCount > 0)).toBe(true);
  });
});
