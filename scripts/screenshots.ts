/**
 * `npx tsx scripts/screenshots.ts`: the screenshots of docs/screenshots/ (shown in the README) —
 * every screen of the console at 1366×768 in Chinese, the two home screens (能耗总览 for officers,
 * 实时监测 for engineers) in English too, and the login page. Taken from `jieneng start` of the demo
 * in Debian's Chromium, as the console tests run it (test/helpers/console.ts); each screen is
 * captured once nothing on it is loading any more.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import {
  launchBrowser,
  settled as loaded,
  openConsole,
  signIn,
  startConsoleSite,
} from '../test/helpers/console.ts';

const out = join(import.meta.dirname, '../docs/screenshots');
mkdirSync(out, { recursive: true });

/** The screen's heading shown and nothing on it loading any more. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1, .jn-login-card h1').first().waitFor();
  await loaded(page);
  await page.evaluate('document.fonts.ready');
  await page.waitForTimeout(300);
}

const [site, browser] = await Promise.all([startConsoleSite(), launchBrowser()]);
try {
  const shots: string[] = [];
  const shoot = async (page: Page, name: string) => {
    await settled(page);
    const file = join(out, `${name}.png`);
    await page.screenshot({ path: file, fullPage: false });
    shots.push(file);
  };
  {
    const { page } = await openConsole(browser);
    await page.goto(`${site.url}/login`);
    await shoot(page, 'login.zh-CN');
  }
  // Each screen as the role it is for: officers' screens as the officer, the rest as admin.
  const asRole = {
    officer: ['/overview', '/buildings', '/reports'],
    engineer: ['/monitoring', '/control', '/schedules', '/alarms'],
    admin: ['/audit', '/users'],
  } as const;
  for (const [role, paths] of Object.entries(asRole) as [keyof typeof asRole, readonly string[]][]) {
    for (const locale of ['zh-CN', 'en'] as const) {
      const { page, context } = await openConsole(browser);
      await signIn(page, site, role);
      if (locale === 'en') {
        await page.getByRole('radio', { name: 'English' }).check({ force: true });
        await page.locator('html[lang="en"]').waitFor({ state: 'attached' });
      }
      for (const path of paths) {
        const home = path === '/overview' || path === '/monitoring';
        if (locale === 'en' && !home) continue;
        await page.goto(`${site.url}${path}`);
        await shoot(page, `${path.slice(1)}.${locale}`);
      }
      await context.close();
    }
  }
  console.log(shots.join('\n'));
} finally {
  await browser.close();
  await site.stop();
}
