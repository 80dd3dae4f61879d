import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import {
  launchBrowser,
  settled as loaded,
  openConsole,
  signIn,
  startConsoleSite,
} from '../test/helpers/console.ts';

/**
 * The console in Debian's Chromium against `jieneng start` of the demo (test/helpers/console.ts):
 * for each screen, the time from navigation to its first meaningful content — the page heading
 * shown and nothing on the page still loading (no Element Plus loading mask, skeleton or
 * aria-busy) — and the gzipped size of the JS it loads. The baseline, measured in the same run and
 * browser, is the login page (the same JS frame, no data): a screen's ratio is what its data and
 * charts cost on top. Medians of ROUNDS cold loads (a fresh page, the browser cache kept as a
 * returning user has it); the JS sizes are of the first load, cold.
 */
const ROUNDS = 5;

/** The screen's heading shown and nothing on it loading any more. */
async function settled(page: Page): Promise<void> {
  await page.locator('main h1, .jn-login-card h1').first().waitFor();
  await loaded(page);
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

export async function benchConsole(): Promise<string[]> {
  const [site, browser] = await Promise.all([startConsoleSite(), launchBrowser()]);
  const lines: string[] = [];
  try {
    const { page } = await openConsole(browser);
    const scripts = new Map<string, number>();
    page.on('response', async (r) => {
      if (r.request().resourceType() !== 'script' || scripts.has(r.url())) return;
      scripts.set(r.url(), -1);
      const body = await r.body().catch(() => Buffer.alloc(0));
      scripts.set(r.url(), gzipSync(body).length);
    });
    const timeOf = async (path: string) => {
      const t0 = performance.now();
      await page.goto(`${site.url}${path}`);
      await settled(page);
      return performance.now() - t0;
    };
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    const jsNow = () => [...scripts.values()].reduce((a, b) => a + Math.max(b, 0), 0);

    await timeOf('/login');
    const loginJs = jsNow();
    const login: number[] = [];
    for (let i = 0; i < ROUNDS; i++) login.push(await timeOf('/login'));
    const beforeSignIn = jsNow();
    await signIn(page, site, 'admin');
    const menu = page.getByRole('navigation', { name: '主导航' });
    const paths = await menu
      .locator('li[role="menuitem"]')
      .evaluateAll((items) => items.map((li) => li.textContent?.trim() ?? ''));
    const base = median(login);
    lines.push(
      `login page (baseline): first meaningful content ${base.toFixed(0)} ms (median of ${ROUNDS}); JS first loaded ${kib(loginJs)} gzipped`,
    );
    for (const name of paths) {
      // The first screen is the start page the sign-in already loaded: its JS came with it.
      const before = paths.indexOf(name) === 0 ? beforeSignIn : jsNow();
      const from = new URL(page.url()).pathname;
      await menu.getByRole('menuitem', { name }).click();
      if (paths.indexOf(name) > 0) await page.waitForURL((u) => u.pathname !== from);
      await settled(page);
      const path = new URL(page.url()).pathname;
      const extra = jsNow() - before;
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) times.push(await timeOf(path));
      const t = median(times);
      lines.push(
        `${name} (${path}): first meaningful content ${t.toFixed(0)} ms | login page ${base.toFixed(0)} ms | ratio ${(t / base).toFixed(2)}; its own JS ${kib(extra)} gzipped (first load of the console ${kib(loginJs)})`,
      );
    }
  } finally {
    await browser.close();
    await site.stop();
  }
  return lines;
}
