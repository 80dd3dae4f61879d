import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { loadSite } from '../core/config/loadSite.ts';
import { generateSecrets, writeSecretsFile } from '../core/secrets.ts';
import { topics } from '../core/topics.ts';
import { defaultScenarioFile } from '../device-sims/scenario/load.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type CliProcess, spawnCli } from './helpers/cli.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * The split deployment: `jieneng sims`, `gateway`, `control` and `api` as four processes on a real
 * Mosquitto. The API reaches control only over MQTT 5 request/response; what a user sees through
 * it is what `jieneng start` answers in-process — and when control is gone, a 503 saying so, not a
 * hang; once control is back, the API works again.
 */
describe('jieneng api as its own process', () => {
  const AC = 'zonghe-lou-f1-3-ac';
  const GW = 'gw-apiproc';
  const siteId = `apiproc-${process.pid}`;
  let dir: string;
  let file: string;
  let base: string;
  let headers: Record<string, string>;
  let telemetry: MqttClient;
  let reported: number | undefined;
  const procs: Record<string, CliProcess> = {};
  const mqttUrl = () => inject('mosquittoUrl');

  /** The demo site with only its OPC UA air-conditioning (on `port`) and their control, secrets beside it. */
  function writeSite(port: number): string {
    const doc = parse(readFileSync(join(import.meta.dirname, '../examples/demo-site.yaml'), 'utf8'));
    doc.site.id = siteId;
    doc.platform = { ...doc.platform, secrets_file: 'secrets.yaml' };
    doc.gateways = [
      {
        id: GW,
        connections: doc.gateways[0].connections
          .filter((c: { protocol: string }) => c.protocol === 'opcua')
          .map((c: object) => ({
            ...c,
            endpoint: `opc.tcp://127.0.0.1:${port}/jieneng`,
            sampling_interval: '200ms',
            publishing_interval: '200ms',
          })),
      },
    ];
    doc.meters = [];
    doc.control.groups = doc.control.groups.filter((g: { class: string }) => g.class === 'hvac');
    const kept = new Set(doc.control.groups.map((g: { id: string }) => g.id));
    doc.control.points = doc.control.points.filter((p: { group: string }) => kept.has(p.group));
    doc.control.schedules = doc.control.schedules.filter((s: { group: string }) => kept.has(s.group));
    delete doc.control.lighting_sweeps;
    doc.control.demand_limits = [];
    const siteFile = join(dir, 'site.yaml');
    writeFileSync(siteFile, stringify(doc));
    writeSecretsFile(join(dir, 'secrets.yaml'), generateSecrets(loadSite(siteFile)));
    return siteFile;
  }

  const startControl = () =>
    spawnCli(['control', '--config', file, '--mqtt-url', mqttUrl(), '--data-dir', join(dir, 'control')]);
  const get = (path: string, extra: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { headers: { ...headers, ...extra } });
  const output = () =>
    Object.entries(procs)
      .map(([name, p]) => `--- ${name}\n${p.stdout()}${p.stderr()}`)
      .join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'jn-api-process-'));
    const port = await freePort();
    const scenario = parse(readFileSync(defaultScenarioFile, 'utf8'));
    const scenarioFile = join(dir, 'scenario.yaml');
    writeFileSync(scenarioFile, stringify({ ...scenario, devices: [], opcua: { port } }));
    file = writeSite(port);
    // The gateway's telemetry, as the collector would see it: what the unit itself reports.
    telemetry = await mqtt.connectAsync(mqttUrl());
    telemetry.on('message', (_t, p) => {
      const batch = JSON.parse(p.toString()) as {
        readings: { device: string; point: string; value: number }[];
      };
      for (const r of batch.readings)
        if (r.device === AC && r.point === 'cooling_setpoint') reported = r.value;
    });
    await telemetry.subscribeAsync(topics.telemetry(GW), { qos: 1 });
    const apiDir = join(dir, 'api');
    mkdirSync(apiDir);
    headers = apiToken(apiDir, { role: 'engineer', name: '王工' }).headers;
    procs.sims = spawnCli(['sims', '--scenario', scenarioFile, '--data-dir', join(dir, 'sims')]);
    procs.gateway = spawnCli([
      'gateway',
      '--config',
      file,
      '--mqtt-url',
      mqttUrl(),
      '--data-dir',
      join(dir, 'gw'),
    ]);
    procs.control = startControl();
    procs.api = spawnCli([
      'api',
      '--config',
      file,
      '--mqtt-url',
      mqttUrl(),
      '--data-dir',
      apiDir,
      '--port',
      '0',
    ]);
    try {
      await waitFor('jieneng api to print its address', () =>
        /API: +http:\/\/127\.0\.0\.1:\d+/.test(procs.api?.stdout() ?? ''),
      );
      base = `${/API: +(http:\/\/127\.0\.0\.1:\d+)/.exec(procs.api?.stdout() ?? '')?.[1]}/api/v1`;
      // Control has written the relinquish default once the gateway's OPC UA session is up.
      await waitFor('control to write 26 °C to the unit, seen through the API', async () => {
        const res = await get(`/points/${AC}/cooling_setpoint`).catch(() => undefined);
        return res?.status === 200 && ((await res.json()) as { last_written?: number }).last_written === 26;
      });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${output()}`);
    }
  }, 300_000);

  afterAll(async () => {
    await telemetry?.endAsync();
    for (const p of Object.values(procs).reverse()) await p.stop();
  });

  it('lists the points, takes an override to the unit and answers its read-back, audits it and previews the schedules', async () => {
    const points = await get('/points');
    expect(points.status).toBe(200);
    const list = ((await points.json()) as { points: { device: string; point: string }[] }).points;
    expect(list.map((p) => `${p.device}/${p.point}`)).toContain(`${AC}/cooling_setpoint`);

    const put = await fetch(`${base}/points/${AC}/cooling_setpoint/override`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ value: 27, for: '30min', reason: '会议室偏冷' }),
    });
    const answer = (await put.json()) as { effective: { value: number; level: number }; write?: unknown };
    expect(put.status, JSON.stringify(answer)).toBe(200);
    expect(answer.effective).toMatchObject({ value: 27, level: 8 });
    expect(answer.write).toMatchObject({ status: 'written', readBack: 27 });
    await waitFor('the unit to report 27 °C in its telemetry', () => reported === 27, {
      seen: () => reported,
    });

    const audit = await get(`/control/audit?device=${AC}&point=cooling_setpoint`);
    expect(audit.status).toBe(200);
    const entries = ((await audit.json()) as { entries: Record<string, unknown>[] }).entries;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'set', outcome: 'accepted', priority: 8, requested: 27 }),
        expect.objectContaining({ action: 'write', read_back: 27 }),
      ]),
    );
    const set = entries.find((e) => e.action === 'set' && e.requested === 27);
    expect(String(set?.source)).toMatch(/^user:token:/);

    const preview = await get('/schedules/preview?days=7');
    expect(preview.status).toBe(200);
    const actions = ((await preview.json()) as { actions: { device: string; point: string }[] }).actions;
    expect(actions.some((a) => a.device === AC && a.point === 'on_off')).toBe(true);
  });

  it('answers 503 saying control did not answer while control is stopped, and works again once it is back', async () => {
    const logBefore = procs.api?.stderr().length ?? 0;
    expect(await procs.control?.stop()).toBe(0);
    const zh = await get('/points');
    expect(zh.status).toBe(503);
    expect(zh.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await zh.json()) as { detail: string }).detail).toMatch(
      /^控制服务 5 秒内未通过 MQTT 应答（points）/,
    );
    const en = await get('/schedules', { 'accept-language': 'en' });
    expect(en.status).toBe(503);
    expect((await en.json()) as { code?: string; detail: string }).toMatchObject({
      detail: expect.stringMatching(/^control did not answer over MQTT within 5 s \(schedules\)/),
    });
    await waitFor('the API’s health to show control degraded', async () => {
      const health = (await (await get('/health')).json()) as { services: { control: { state: string } } };
      return health.services.control.state === 'degraded';
    });

    procs.control = startControl();
    await waitFor('the API to answer /points again', async () => (await get('/points')).status === 200);
    // The override was kept in control.db across the restart.
    const array = (await (await get(`/points/${AC}/cooling_setpoint`)).json()) as {
      levels: { level: number; value: number | null }[];
    };
    expect(array.levels.find((s) => s.level === 8)?.value).toBe(27);
    await waitFor('the API’s health to show control running', async () => {
      const health = (await (await get('/health')).json()) as { services: { control: { state: string } } };
      return health.services.control.state === 'running';
    });
    // The API's log says it once each way, not once per request.
    const log = procs.api?.stderr().slice(logBefore) ?? '';
    expect(log.match(/control of site "[^"]+" over MQTT is not answering/g)).toHaveLength(1);
    expect(log.match(/control of site "[^"]+" over MQTT answers again/g)).toHaveLength(1);
    const codes = [];
    for (const name of ['api', 'control', 'gateway', 'sims']) codes.push(await procs[name]?.stop());
    expect(codes).toEqual([0, 0, 0, 0]);
  });
});
