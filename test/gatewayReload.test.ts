import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { type TelemetryBatch, telemetryBatchSchema } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { loadScenario } from '../device-sims/scenario/load.ts';
import { spawnCli } from './helpers/cli.ts';
import { writeTestSite } from './helpers/site.ts';
import { waitFor } from './helpers/wait.ts';
import { startMosquitto } from './servers/mosquitto.ts';
import { freePort } from './servers/process.ts';

interface SiteDoc {
  gateways: { metrics?: unknown; connections: { devices: { id: string; slow_points?: string[] }[] }[] }[];
  meters: { device: string }[];
}

/**
 * `jieneng gateway` as its own process: /metrics on the port the site file gives, and SIGHUP
 * applying an edited site file while the broker is down — a broken file is refused with the
 * reason and the gateway runs on; a good one adds a device; the spool written before, during and
 * after the reload arrives once the broker is back, with no sequence gap. The broker persists
 * sessions, so what the gateway replays before the listener is back is queued for it.
 */
describe('gateway process: /metrics and SIGHUP reload', () => {
  it('reloads without losing the spool and refuses a broken file', async () => {
    const modbusPort = await freePort();
    const metricsPort = await freePort();
    const gatewayId = 'gw-reload';
    const { dir, file, scenarioFile } = writeTestSite({
      modbusPort,
      gatewayId,
      devices: ['m-a', 'm-b'],
      pollInterval: '500ms',
    });
    const full = parse(readFileSync(file, 'utf8')) as SiteDoc;
    const gw = full.gateways[0];
    const devices = gw?.connections[0]?.devices ?? [];
    if (!gw || devices.length !== 2) throw new Error('test site has no gateway');
    gw.metrics = { port: metricsPort };
    const firstDevice = devices[0];
    if (firstDevice) firstDevice.slow_points = ['import_energy'];
    const fullText = stringify(full);
    // Start with m-a only (and only its meter).
    const initial = structuredClone(full);
    const initialConn = initial.gateways[0]?.connections[0];
    if (initialConn) initialConn.devices = initialConn.devices.filter((d) => d.id === 'm-a');
    initial.meters = initial.meters.filter((m) => m.device === 'm-a');
    writeFileSync(file, stringify(initial));

    const log = createLogger({ level: 'error' });
    const broker = await startMosquitto({ persistence: true });
    const sims = await startSims({ scenario: loadScenario(scenarioFile), clock: systemClock, log });
    const batches: TelemetryBatch[] = [];
    const listen = (url: string) => {
      const client = mqtt.connect(url, { clientId: `listener-${gatewayId}-${process.pid}`, clean: false });
      client.on('connect', () => client.subscribe(`jn/v1/${gatewayId}/telemetry`, { qos: 1 }));
      client.on('message', (_t, payload) =>
        batches.push(telemetryBatchSchema.parse(JSON.parse(payload.toString()))),
      );
      return client;
    };
    let listener = listen(broker.url);
    const gateway = spawnCli([
      'gateway',
      '--config',
      file,
      '--mqtt-url',
      broker.url,
      '--data-dir',
      join(dir, 'gw'),
    ]);
    let beforeOutage = 0;
    let spooledAtResume = 0;
    const spooled = async () => {
      const health = (await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).json()) as {
        detail: { spool: { unsent: number } };
      };
      // Not yet sent to the broker (without a collector, what it acknowledged stays spooled too).
      return health.detail.spool.unsent;
    };
    try {
      await waitFor('telemetry from m-a', () => batches.length >= 2, {
        seen: () => `${batches.length} batches`,
      });
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      expect(metrics).toMatch(/jieneng_gateway_requests_total\{[^}]*device="m-a"[^}]*\} [1-9]/);
      expect(metrics).not.toContain('device="m-b"');

      beforeOutage = Math.max(...batches.map((b) => b.seq));
      listener.end(true);
      await broker.halt(); // outage: from here everything goes to the spool
      await waitFor('the gateway to spool', async () => (await spooled()) > 0, { seen: spooled });

      writeFileSync(file, fullText.replace('poll_interval: 500ms', 'poll_interval: often'));
      gateway.child.kill('SIGHUP');
      await waitFor('the broken file to be refused', () =>
        gateway.stderr().includes('configuration not reloaded'),
      );
      expect(gateway.stderr()).toMatch(
        /site\.yaml:\d+:\d+ gateways\[0\]\.connections\[0\]\.devices\[0\]\.poll_interval = .*often.* is not a duration/,
      );

      writeFileSync(file, fullText);
      gateway.child.kill('SIGHUP');
      await waitFor('the reload', () => gateway.stderr().includes('gateway configuration reloaded'));
      const spooledAtReload = Number(/configuration reloaded .*spooled=(\d+)/.exec(gateway.stderr())?.[1]);
      expect(spooledAtReload).toBeGreaterThan(0);
      // It runs on with the new file: polls, and spools what it read.
      await waitFor(
        'the gateway to spool after the reload',
        async () => (await spooled()) > spooledAtReload,
        {
          seen: async () => `${await spooled()} batches spooled, ${spooledAtReload} at the reload`,
        },
      );
      expect(gateway.child.exitCode).toBeNull();

      spooledAtResume = await spooled();
      await broker.resume();
      listener = listen(broker.url);
      await waitFor('readings of the added device m-b', () =>
        batches.some((b) => b.readings.some((r) => r.device === 'm-b' && r.quality === 'good')),
      );
      // Every batch that was spooled at the resume (they follow the last one received before the
      // outage, or repeat it if unacknowledged then) has reached the listener.
      const received = () => new Set(batches.map((b) => b.seq));
      const upTo = beforeOutage + spooledAtResume;
      const allUpTo = () => {
        const got = received();
        for (let seq = Math.min(...got); seq <= upTo; seq++) if (!got.has(seq)) return false;
        return true;
      };
      await waitFor(`every batch up to seq ${upTo} at the listener`, allUpTo, {
        seen: () => `seqs ${[...received()].sort((x, y) => x - y).join(',')}`,
      });
      expect(await gateway.stop()).toBe(0);
    } finally {
      gateway.child.kill('SIGKILL');
      listener.end(true);
      await sims.stop();
      await broker.stop();
    }
    // Every sequence number from the first received to the last, none missing.
    const seqs = [...new Set(batches.map((b) => b.seq))].sort((a, b) => a - b);
    const first = seqs[0] ?? 0;
    const last = seqs.at(-1) ?? 0;
    expect(seqs.length).toBe(last - first + 1);
    // From before the outage on, and every batch spooled during it (across both reloads).
    expect(first).toBeLessThanOrEqual(beforeOutage);
    expect(last).toBeGreaterThanOrEqual(beforeOutage + spooledAtResume);
    expect(spooledAtResume).toBeGreaterThan(1);
  }, 600_000); // six waits, each bounded for a loaded machine
});
