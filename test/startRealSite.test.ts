import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { apiToken } from './helpers/apiAuth.ts';
import { type CliProcess, spawnStart } from './helpers/cli.ts';
import { type MeterServer, startMeterServer } from './helpers/meterServer.ts';
import { waitFor, writeTestSite } from './helpers/site.ts';

interface LatestItem {
  device: string;
  point: string;
  value: number;
  quality: string;
}

// SDM630 input registers (core/profiles/modbus/eastron/sdm630.yaml).
const ACTIVE_POWER = 0x34;
const IMPORT_ENERGY = 0x48;

interface SiteDoc {
  profiles?: string;
  gateways: { connections: { devices: Record<string, unknown>[] }[] }[];
}

const localProfile = `profile: 1
protocol: modbus
vendor: Acme
model: EM1
source: { document: Acme EM1 register map (test fixture; SDM630 layout) }
points:
  - { id: import_energy, name: 正向有功电能 / Import, function: input_register, address: 0x48, type: float32, unit: kWh, role: energy_counter }
`;

let cli: CliProcess | undefined;
let meters: MeterServer | undefined;
afterEach(async () => {
  cli?.child.kill('SIGKILL');
  await meters?.stop();
  cli = meters = undefined;
});

/** `jieneng start` of `file` with no scenario: a site of one's own. */
// Each platform's data dir (its auth.db) and a viewer token for its API: anonymous calls get 401.
const dataDirs = new WeakMap<CliProcess, string>();
const tokens = new Map<string, Record<string, string>>();
const headersFor = (api: string) => tokens.get(api) ?? {};

function startSite(file: string, dir: string, ...extra: string[]): CliProcess {
  const p = spawnStart(file, dir, ...extra);
  dataDirs.set(p, join(dir, 'data'));
  return p;
}

async function apiOf(p: CliProcess): Promise<string> {
  await waitFor(
    'the API address on stdout',
    () => /API: +http:\/\/127\.0\.0\.1:\d+/.test(p.stdout()),
    60_000,
  );
  const api = `http://127.0.0.1:${/API: +http:\/\/127\.0\.0\.1:(\d+)/.exec(p.stdout())?.[1]}/api/v1`;
  const dataDir = dataDirs.get(p);
  if (dataDir) tokens.set(api, apiToken(dataDir, { role: 'viewer' }).headers);
  return api;
}

const latestOf = async (api: string, device: string, point: string) => {
  const items = (await (
    await fetch(`${api}/readings/latest`, { headers: headersFor(api) })
  ).json()) as LatestItem[];
  return items.find((r) => r.device === device && r.point === point);
};
const reads = (api: string, device: string, value: number) => async () => {
  const r = await latestOf(api, device, 'import_energy');
  return r?.value === value && r.quality === 'good';
};

function withDetail(p: CliProcess, err: unknown): Error {
  return new Error(`${(err as Error).message}\n--- stdout\n${p.stdout()}\n--- stderr\n${p.stderr()}`);
}

describe('jieneng start --config of a real site (no simulated devices)', () => {
  it('polls the site’s own Modbus server, starts no demo building, and reloads the file on SIGHUP (a meter with a profile beside the site file)', async () => {
    meters = await startMeterServer({
      1: { [IMPORT_ENERGY]: 12345.5, [ACTIVE_POWER]: 2222.25 },
      2: { [IMPORT_ENERGY]: 777.25 },
    });
    const { dir, file } = writeTestSite({
      modbusPort: meters.port,
      gatewayId: 'gw-real',
      devices: ['main-meter'],
      pollInterval: '250ms',
    });
    const p = startSite(file, dir);
    cli = p;
    try {
      const api = await apiOf(p);
      expect(p.stdout()).not.toContain('simulated building');
      await waitFor('the served kWh in /readings/latest', reads(api, 'main-meter', 12345.5), 30_000);
      expect((await latestOf(api, 'main-meter', 'active_power'))?.value).toBe(2222.25);
      const health = (await (await fetch(`${api}/health`)).json()) as { services: Record<string, unknown> };
      expect(Object.keys(health.services)).not.toContain('device-sims');
      expect(Object.keys(health.services)).toContain('gateway:gw-real');
      expect(p.stderr()).not.toMatch(/\[sims\]/);

      // A broken file is refused with its problems; the running configuration keeps polling.
      const good = parse(readFileSync(file, 'utf8')) as SiteDoc;
      writeFileSync(file, readFileSync(file, 'utf8').replace('poll_interval: 250ms', 'poll_interval: often'));
      p.child.kill('SIGHUP');
      await waitFor(
        'the broken file to be refused',
        () => p.stderr().includes('configuration not reloaded'),
        30_000,
      );
      expect(p.stderr()).toMatch(
        /site\.yaml:\d+:\d+ gateways\[0\]\.connections\[0\]\.devices\[0\]\.poll_interval = .*often.* is not a duration/,
      );
      meters.set(1, IMPORT_ENERGY, 12346.5);
      await waitFor('the new kWh after the refused reload', reads(api, 'main-meter', 12346.5), 30_000);

      // A good file with a second meter takes effect, on the same API port; its profile lives
      // beside the site file, not in the package.
      mkdirSync(join(dir, 'profiles', 'modbus', 'acme'), { recursive: true });
      writeFileSync(join(dir, 'profiles', 'modbus', 'acme', 'em1.yaml'), localProfile);
      good.profiles = './profiles';
      good.gateways[0]?.connections[0]?.devices.push({
        id: 'sub-meter',
        profile: 'modbus/acme/em1',
        unit_id: 2,
        poll_interval: '250ms',
      });
      writeFileSync(file, stringify(good));
      p.child.kill('SIGHUP');
      await waitFor('the reload', () => /INFO +configuration reloaded/.test(p.stderr()), 60_000);
      await waitFor('the added meter in /readings/latest', reads(api, 'sub-meter', 777.25), 30_000);
      expect(await reads(api, 'main-meter', 12346.5)()).toBe(true);
      // /metrics still has every service's metrics after the restart of control.
      const metrics = await (
        await fetch(api.replace('/api/v1', '/metrics'), { headers: headersFor(api) })
      ).text();
      expect(metrics).toMatch(/^jieneng_gateway_requests_total\{[^}]*device="sub-meter"[^}]*\} [1-9]/m);
      expect(metrics).toContain('# HELP jieneng_control_commands_total');
      expect(p.child.exitCode).toBeNull();
      expect(await p.stop()).toBe(0);
      expect(p.stderr()).toMatch(/SIGTERM received, stopping/);
    } catch (err) {
      throw withDetail(p, err);
    }
  }, 180_000);

  it('never prints, logs or serves the MQTT or InfluxDB password of its URLs', async () => {
    meters = await startMeterServer({ 1: { [IMPORT_ENERGY]: 42.5 } });
    const { dir, file } = writeTestSite({
      modbusPort: meters.port,
      gatewayId: 'gw-secret',
      devices: ['main-meter'],
      pollInterval: '250ms',
    });
    const mqttUrl = inject('mosquittoUrl').replace('mqtt://', 'mqtt://jn:mqtt-Secret-1@');
    const influxUrl = `${inject('influxUrl').replace('http://', 'http://jn:influx-Secret-2@')}/secret_${process.pid}`;
    const p = startSite(file, dir, '--mqtt-url', mqttUrl, '--influx-url', influxUrl);
    cli = p;
    try {
      const api = await apiOf(p);
      await waitFor(
        'readings through the broker and store of those URLs',
        reads(api, 'main-meter', 42.5),
        30_000,
      );
      const health = await (await fetch(`${api}/health`)).text();
      expect(health).toContain('mqtt://jn:***@127.0.0.1');
      expect(p.stdout()).toMatch(/MQTT: +mqtt:\/\/jn:\*\*\*@127\.0\.0\.1:\d+/);
      expect(p.stdout()).toMatch(/store: +InfluxDB http:\/\/jn:\*\*\*@127\.0\.0\.1:\d+\/secret_/);
      expect(await p.stop()).toBe(0);
      for (const [what, text] of [
        ['stdout', p.stdout()],
        ['stderr', p.stderr()],
        ['health', health],
      ])
        expect(text, what).not.toMatch(/Secret-[12]/);
    } catch (err) {
      throw withDetail(p, err);
    }
  }, 120_000);
});
