import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ModbusRTU from 'modbus-serial';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { serveSimsFaults } from '../cli/simsFaultCommand.ts';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { faultEndpointFile } from '../device-sims/faultEndpoint.ts';
import { type Sims, startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * `jieneng sims fault` against a running simulator (what `jieneng start` and `jieneng sims` run:
 * startSims and serveSimsFaults), observed through Modbus TCP as a gateway sees it; refused
 * without an engineer token and where no simulator runs.
 */
describe('jieneng sims fault', () => {
  let sims: Sims;
  let endpoint: Awaited<ReturnType<typeof serveSimsFaults>>;
  let dir: string;
  let port = 0;
  let engineerFile = '';
  let viewerFile = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jn-sims-fault-'));
    port = await freePort();
    const loaded = loadScenario(defaultScenarioFile);
    const devices = loaded.scenario.devices
      .filter((d) => d.id === 'zonghe-main')
      .map((d) => ({ ...d, modbus: { ...d.modbus, port } }));
    sims = await startSims({
      scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
      clock: systemClock,
      log: createLogger({ level: 'error' }),
    });
    endpoint = await serveSimsFaults(sims.faults, dir, createLogger({ level: 'error' }));
    engineerFile = join(dir, 'engineer.token');
    writeFileSync(engineerFile, apiToken(dir, { role: 'engineer', name: '张工' }).token);
    viewerFile = join(dir, 'viewer.token');
    writeFileSync(viewerFile, apiToken(dir, { role: 'viewer', name: '访客' }).token);
  });
  afterAll(async () => {
    await endpoint?.stop();
    await sims?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]) {
    let out = '';
    let err = '';
    const code = await main(['sims', 'fault', ...args, '--data-dir', dir], {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    });
    return { code, out, err };
  }
  /** Whether zonghe-main answers a read within 500 ms. */
  async function answers(): Promise<boolean> {
    const c = new ModbusRTU();
    await c.connectTCP('127.0.0.1', { port });
    c.setID(1);
    c.setTimeout(500);
    try {
      await c.readInputRegisters(0x48, 2);
      return true;
    } catch {
      return false;
    } finally {
      c.close(() => {});
    }
  }

  it('listens on loopback only and names itself in DIR/sims-faults.json', () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/faults$/);
    expect(existsSync(faultEndpointFile(dir))).toBe(true);
  });

  it('an engineer takes a meter offline for a while, it stops answering, and comes back by itself', async () => {
    expect(await answers()).toBe(true);
    const add = await cli('add', 'zonghe-main', 'offline', '--for', '2s', '--token-file', engineerFile);
    expect(add).toMatchObject({ code: 0, err: '' });
    expect(add.out).toContain('已注入 zonghe-main: offline');
    expect(add.out).toMatch(/至 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 自动清除/);
    expect(await answers()).toBe(false);
    const list = await cli('list', '--token-file', engineerFile);
    expect(list.out).toContain('zonghe-main  offline');
    await waitFor('zonghe-main answering again after --for 2s', () => answers(), { timeoutMs: 10_000 });
    expect(sims.faults.active()).toEqual({});
  });

  it('add and clear by hand; a bad kind or device is named with what is allowed', async () => {
    expect(
      (await cli('add', 'zonghe-main', 'slow', '--delay', '800', '--token-file', engineerFile)).code,
    ).toBe(0);
    expect(sims.faults.active()).toEqual({ 'zonghe-main': ['slow 800 ms'] });
    expect(await answers()).toBe(false); // 800 ms is past the 500 ms this client waits
    const cleared = await cli('clear', 'zonghe-main', '--token-file', engineerFile);
    expect(cleared).toMatchObject({ code: 0 });
    expect(cleared.out).toContain('已清除 zonghe-main');
    expect(await answers()).toBe(true);

    const badKind = await cli('add', 'zonghe-main', 'melted', '--token-file', engineerFile);
    expect(badKind.code).toBe(1);
    expect(badKind.err).toMatch(/故障参数有误.*kind/s);
    const badDevice = await cli('add', 'no-such-meter', 'offline', '--token-file', engineerFile);
    expect(badDevice.code).toBe(1);
    expect(badDevice.err).toContain('no simulated device "no-such-meter"; devices are: zonghe-main');
    const noDelay = await cli('add', 'zonghe-main', 'slow', '--token-file', engineerFile);
    expect(noDelay.err).toMatch(/delay/);
    expect(sims.faults.active()).toEqual({});
  });

  it('refuses without a token and for a viewer: nothing is injected', async () => {
    const saved = process.env.JIENENG_TOKEN;
    delete process.env.JIENENG_TOKEN;
    try {
      const anonymous = await cli('add', 'zonghe-main', 'offline');
      expect(anonymous.code).toBe(1);
      expect(anonymous.err).toContain('需要 API 令牌');
      const viewer = await cli('add', 'zonghe-main', 'offline', '--token-file', viewerFile);
      expect(viewer.code).toBe(1);
      expect(viewer.err).toContain('注入故障需要工程师角色；访客 的角色是 viewer');
      const forged = join(dir, 'forged.token');
      writeFileSync(forged, 'jn_AAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      expect((await cli('add', 'zonghe-main', 'offline', '--token-file', forged)).err).toContain(
        '令牌被拒绝',
      );
    } finally {
      if (saved !== undefined) process.env.JIENENG_TOKEN = saved;
    }
    expect(sims.faults.active()).toEqual({});
    expect(await answers()).toBe(true);
  });

  it('refuses where no simulator runs (a site that is not simulated has no endpoint)', async () => {
    const real = mkdtempSync(join(tmpdir(), 'jn-real-site-'));
    try {
      let err = '';
      const code = await main(
        ['sims', 'fault', 'add', 'zonghe-main', 'offline', '--data-dir', real, '--token-file', engineerFile],
        {
          out: () => {},
          err: (t) => {
            err += t;
          },
        },
      );
      expect(code).toBe(2);
      expect(err).toContain('没有正在运行的模拟楼宇');
      expect(err).toContain('a site that is not simulated takes none');
      // A simulator that stopped: its file is gone with it.
      const stale = mkdtempSync(join(tmpdir(), 'jn-stale-'));
      const e2 = await serveSimsFaults(sims.faults, stale, createLogger({ level: 'error' }));
      await e2.stop();
      expect(existsSync(faultEndpointFile(stale))).toBe(false);
      rmSync(stale, { recursive: true, force: true });
    } finally {
      rmSync(real, { recursive: true, force: true });
    }
  });
});
