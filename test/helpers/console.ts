import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createAuth } from '../../api/auth/auth.ts';
import { type Role, roles, systemActor } from '../../core/auth/actor.ts';
import { createLogger } from '../../core/log.ts';
import { defaultScenarioFile } from '../../device-sims/scenario/load.ts';
import { freePort } from '../servers/process.ts';
import { apiToken } from './apiAuth.ts';
import { type CliProcess, spawnStart } from './cli.ts';
import { waitFor } from './wait.ts';

/** Debian's Chromium (scripts/setup installs it); playwright-core drives it, no downloaded browser. */
export const chromiumPath = process.env.JIENENG_CHROMIUM ?? '/usr/bin/chromium';

/** The demo's accounts in a console test: one per role, Chinese names (they must render). */
export const consoleUsers: Record<Role, { user: string; password: string }> = {
  admin: { user: '张管理', password: 'Jn-console-admin-7f3a9c2e' },
  engineer: { user: '王工', password: 'Jn-console-engineer-4b8d1e6f' },
  officer: { user: '李科长', password: 'Jn-console-officer-9c2a7d4b' },
  viewer: { user: '访客', password: 'Jn-console-viewer-1e5f8a3c' },
};

export interface ConsoleSite {
  /** `http://127.0.0.1:PORT` of the API and console. */
  url: string;
  dataDir: string;
  cli: CliProcess;
  /** Headers with an API token of `role` (for a test to read what the API says beside the page). */
  headers(role?: Role): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * `jieneng start` on the demo site and the simulated building, as a user starts it, but with the
 * simulator's ports moved to free ones (the demo's are fixed, and tests run side by side), its
 * simulated history since 2020 as the demo has it, and one account per role. Resolves once the API answers and the first readings are stored.
 */
export async function startConsoleSite(
  options: { extra?: string[]; history?: string } = {},
): Promise<ConsoleSite> {
  const dir = mkdtempSync(join(tmpdir(), 'jn-console-'));
  const moved = new Map<string, string>();
  for (const port of ['15020', '15021', '15022', '48400']) moved.set(port, String(await freePort()));
  const movePorts = (text: string) =>
    text.replaceAll(/\b(15020|15021|15022|48400)\b/g, (p) => moved.get(p) ?? p);
  const siteFile = join(dir, 'site.yaml');
  const scenarioFile = join(dir, 'scenario.yaml');
  writeFileSync(
    siteFile,
    movePorts(readFileSync(join(import.meta.dirname, '../../examples/demo-site.yaml'), 'utf8')),
  );
  writeFileSync(scenarioFile, movePorts(readFileSync(defaultScenarioFile, 'utf8')));
  const dataDir = join(dir, 'data');
  // The demo's simulated past (jieneng start --history, on by default for the demo site): the
  // screens show years of figures, as a newcomer sees them.
  const cli = spawnStart(
    siteFile,
    dir,
    '--scenario',
    scenarioFile,
    '--history',
    options.history ?? '2020-01-01',
    ...(options.extra ?? []),
  );
  const apiLine = /API: +http:\/\/127\.0\.0\.1:(\d+)/;
  await waitFor('the API address on stdout of jieneng start', () => apiLine.test(cli.stdout()), {
    timeoutMs: 120_000,
    seen: () => `${cli.stdout().slice(-800)}\n${cli.stderr().slice(-800)}`,
  });
  const url = `http://127.0.0.1:${apiLine.exec(cli.stdout())?.[1]}`;
  const auth = createAuth({ file: join(dataDir, 'auth.db'), log: createLogger({ level: 'error' }) });
  try {
    for (const role of roles) {
      const { user, password } = consoleUsers[role];
      if (!auth.getUser(user)) await auth.addUser({ name: user, role, password, by: systemActor });
    }
  } finally {
    auth.close();
  }
  const tokens = new Map<Role, Record<string, string>>();
  const headers = (role: Role = 'admin') => {
    let h = tokens.get(role);
    if (!h) {
      h = apiToken(dataDir, { role, name: `console-test-${role}` }).headers;
      tokens.set(role, h);
    }
    return h;
  };
  await waitFor(
    'the first readings of the simulated building',
    async () => {
      const r = await fetch(`${url}/api/v1/readings/latest`, { headers: headers('viewer') });
      return r.ok && ((await r.json()) as unknown[]).length > 20;
    },
    { timeoutMs: 120_000, seen: () => cli.stderr().slice(-800) },
  );
  return {
    url,
    dataDir,
    cli,
    headers,
    stop: async () => {
      await cli.stop();
      // Each site is a demo store of years (~8 MB): a suite run left 1 GB of them in /tmp.
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath });
}

export interface ConsolePage {
  page: Page;
  context: BrowserContext;
  /** Console errors and i18n warnings of the page so far (a missing catalogue key is one). */
  problems(): string[];
}

/**
 * A new page as the people of this platform see it: zh-CN, Asia/Shanghai, a 1366×768 desktop
 * unless told otherwise. Console errors, failed requests to the API (5xx) and vue-i18n's missing-key
 * warnings are kept for the test to assert there were none.
 */
export async function openConsole(
  browser: Browser,
  options: { locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<ConsolePage> {
  const context = await browser.newContext({
    locale: options.locale ?? 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: options.viewport ?? { width: 1366, height: 768 },
    acceptDownloads: true,
  });
  // Playwright's own bound (30 s) is the one a locator waits when a test does not name one; on a busy
  // 2-core CI machine a page that answers after a device's read-back can take longer. The same bound
  // as expect.poll (vitest.config.ts) and settled(): a passing wait still returns as soon as it holds.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    const text = m.text();
    // Chromium logs every 4xx answer; a 401 of GET /auth/me is how the console learns nobody is signed in.
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    if (m.type() === 'error' || /Not found '.*' key|intlify/i.test(text))
      problems.push(`${m.type()}: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  return { page, context, problems: () => [...problems] };
}

/** Signs in through the login page as the demo account of `role`, and waits for the start page. */
export async function signIn(page: Page, site: ConsoleSite, role: Role): Promise<void> {
  const { user, password } = consoleUsers[role];
  await page.goto(`${site.url}/login`);
  await page.getByLabel(/用户名|User name/).fill(user);
  await page.getByLabel(/^(密码|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.getByRole('navigation').waitFor();
}

/**
 * Waits until nothing on the page is loading any more: no visible Element Plus loading mask or
 * skeleton and nothing `aria-busy` (screens mark what they fetch so). Locators, not a function
 * evaluated in the page: the console's CSP forbids eval, and Playwright's string predicates need it.
 */
export async function settled(page: Page): Promise<void> {
  const busy = page.locator('.el-loading-mask, .el-skeleton, [aria-busy="true"]').filter({ visible: true });
  await waitFor('the page to finish loading', async () => (await busy.count()) === 0, {
    timeoutMs: 60_000,
    seen: async () => `${await busy.count()} still loading on ${page.url()}`,
  });
}

/**
 * One demo site and one browser for a test file, started in `beforeAll` (side by side) and stopped
 * in `afterAll`: `site()` and `browser()` give them to the tests (they throw before `beforeAll`).
 */
export function consoleSuite(options: Parameters<typeof startConsoleSite>[0] = {}): {
  site(): ConsoleSite;
  browser(): Browser;
} {
  let site: ConsoleSite | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [site, browser] = await Promise.all([startConsoleSite(options), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await site?.stop();
  });
  return {
    site: () => {
      if (!site) throw new Error('consoleSuite: the site is not started (call site() inside a test)');
      return site;
    },
    browser: () => {
      if (!browser)
        throw new Error('consoleSuite: the browser is not launched (call browser() inside a test)');
      return browser;
    },
  };
}
