import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startApi } from '../api/main.ts';
import { createLogger } from '../core/log.ts';
import { SqliteStore } from '../core/store/sqliteStore.ts';

async function apiWithConsole(consoleDir: string) {
  const dir = mkdtempSync(join(tmpdir(), 'jn-console-serve-'));
  const store = new SqliteStore(join(dir, 'jieneng.db'));
  await store.open();
  const api = await startApi({
    dataDir: dir,
    store,
    health: async () => ({}),
    log: createLogger({ level: 'error' }),
    port: 0,
    consoleDir,
  });
  return {
    base: `http://127.0.0.1:${api.port}`,
    stop: async () => {
      await api.stop();
      await store.close();
    },
  };
}

describe('the API serves the web console at /', () => {
  it("answers the console's own paths with its page, its assets gzipped and cached, and leaves /api alone", async () => {
    const dist = mkdtempSync(join(tmpdir(), 'jn-console-dist-'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><html lang="zh-CN"><body>节能控制台</body></html>',
    );
    mkdirSync(join(dist, 'assets'));
    writeFileSync(
      join(dist, 'assets', 'index-abc123.js'),
      `console.log(${JSON.stringify('节能'.repeat(2000))});`,
    );
    const api = await apiWithConsole(dist);
    try {
      for (const path of ['/', '/monitoring', '/monitoring/devices/zonghe-main']) {
        const r = await fetch(`${api.base}${path}`);
        expect(r.status, path).toBe(200);
        expect(r.headers.get('content-type')).toMatch(/text\/html/);
        expect(r.headers.get('cache-control')).toBe('no-cache');
        expect(await r.text()).toContain('节能控制台');
      }
      const js = await fetch(`${api.base}/assets/index-abc123.js`, {
        headers: { 'accept-encoding': 'gzip' },
      });
      expect(js.status).toBe(200);
      expect(js.headers.get('content-encoding')).toBe('gzip');
      expect(js.headers.get('cache-control')).toMatch(/immutable/);
      // An old hashed name is a 404, not the page (a stale tab must not run HTML as JS).
      expect((await fetch(`${api.base}/assets/index-old999.js`)).status).toBe(404);
      // The API's paths are the API's: a problem answer, never the console's page.
      for (const path of ['/API/v1/devices', '/Api/v1/health', '/metrics/', '/api/'])
        expect(await (await fetch(`${api.base}${path}`)).text(), path).not.toContain('节能控制台');
      const unknown = await fetch(`${api.base}/api/v1/nothing-here`);
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
      // Security headers hold for the console's page too (no framing of the override dialog).
      const page = await fetch(`${api.base}/`);
      expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
      const health = (await (await fetch(`${api.base}/api/v1/health`)).json()) as { services?: object };
      expect(JSON.stringify(health)).not.toMatch(/console/);
    } finally {
      await api.stop();
    }
  });

  it('says how to build the console when it was not built, at / and in health, instead of "Cannot GET /"', async () => {
    const api = await apiWithConsole(mkdtempSync(join(tmpdir(), 'jn-console-none-')));
    try {
      const r = await fetch(`${api.base}/`);
      expect(r.status).toBe(503);
      expect(await r.text()).toMatch(/web console is not built .*npm run build:web/);
      const health = await (await fetch(`${api.base}/api/v1/health`)).text();
      expect(health).toMatch(/"console":\{"state":"degraded".*npm run build:web/);
    } finally {
      await api.stop();
    }
  });
});
