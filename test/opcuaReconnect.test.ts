import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import type { Reading } from '../core/telemetry.ts';
import { startSims } from '../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../device-sims/scenario/load.ts';
import { DeviceAvailability } from '../gateway/deviceAvailability.ts';
import { connection, log, PROFILE, subscriber, uaServer } from './helpers/opcua.ts';
import { waitFor } from './helpers/wait.ts';
import { freePort } from './servers/process.ts';

/**
 * The OPC UA subscriber when its server goes away and comes back: after a restart (device-sims),
 * in polling mode, when the server is down at start, and when the restarted server refuses the
 * re-creation for a while. The gateway-level test with limits of 5 is test/opcuaRecovery.test.ts.
 */
describe('OPC UA subscriber across server outages', () => {
  it('resumes within 10 s after the server restarts, without duplicate monitored items', async () => {
    const loaded = loadScenario(defaultScenarioFile);
    const port = await freePort();
    const sims = await startSims({
      scenario: {
        ...loaded,
        scenario: { ...loaded.scenario, devices: [], opcua: { port, profile: PROFILE } },
      },
      clock: new ManualClock(Date.parse('2025-07-02T10:00:00+08:00')),
      log,
    });
    const readings: Reading[] = [];
    const sub = subscriber(connection(port, ['zonghe-lou.f1-3', 'zonghe-lou.f4-8']), (r) =>
      readings.push(...r),
    );
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 18);
      expect(sims.opcua?.monitoredItemCount()).toBe(18 + 1); // + the CurrentTime heartbeat
      const before = readings.length;
      await sims.opcua?.restart(500);
      await waitFor('data after the restart', () => readings.length >= before + 18, 10_000);
      await waitFor('the re-creation', () => sub.counters.resubscriptions === 1);
      // Re-created once, not twice: node-opcua's own re-creation was deleted before ours was made.
      expect(sims.opcua?.monitoredItemCount()).toBe(18 + 1); // + the CurrentTime heartbeat
      expect(sub.counters).toMatchObject({ state: 'subscribed', monitored_items: 18 });
    } finally {
      await sub.stop();
      await sims.stop();
    }
  }, 120_000);

  it('polling: bad readings with the reason while the server is down, good ones once it is back', async () => {
    const first = await uaServer({
      objects: ['b1.ahu-1'],
      operationLimits: { maxMonitoredItemsPerCall: 4, maxNodesPerRead: 4 },
    });
    const availability = new DeviceAvailability({ clock: systemClock, log });
    const readings: { at: number; r: Reading }[] = [];
    const conn = connection(first.port, ['b1.ahu-1'], { mode: 'polling', poll_interval: '200ms' });
    const sub = subscriber(
      conn,
      (rs) => readings.push(...rs.map((r) => ({ at: Date.now(), r }))),
      systemClock,
      {
        availability,
      },
    );
    const since = (t: number) => readings.filter((x) => x.at >= t).map((x) => x.r);
    let second: Awaited<ReturnType<typeof uaServer>> | undefined;
    try {
      await sub.start();
      await waitFor('good values', () => since(0).some((r) => r.quality === 'good'));
      const down = Date.now();
      await first.stop();
      await waitFor('bad readings naming the lost connection', () =>
        since(down).some((r) => r.quality === 'bad' && /OPC UA server .* lost/.test(r.reason ?? '')),
      );
      expect(availability.get('b1-ahu-1')?.state).toBe('offline');
      second = await uaServer({
        objects: ['b1.ahu-1'],
        operationLimits: { maxMonitoredItemsPerCall: 4, maxNodesPerRead: 4 },
        port: first.port,
      });
      const up = Date.now();
      await waitFor('good values from the restarted server', () =>
        since(up).some((r) => r.quality === 'good'),
      );
      expect(availability.get('b1-ahu-1')?.state).toBe('online');
      expect(sub.counters).toMatchObject({ mode: 'polling', state: 'polling', resubscriptions: 1 });
    } finally {
      await sub.stop();
      await second?.stop();
    }
  }, 120_000);

  it('a server down at start: bad readings and the device offline until it comes up', async () => {
    const port = await freePort();
    const availability = new DeviceAvailability({ clock: systemClock, log });
    const readings: Reading[] = [];
    const sub = subscriber(connection(port, ['b1.ahu-1']), (r) => readings.push(...r), systemClock, {
      availability,
    });
    const started = sub.start();
    let server: Awaited<ReturnType<typeof uaServer>> | undefined;
    try {
      await waitFor('bad readings saying there is no connection', () =>
        readings.some(
          (r) =>
            r.quality === 'bad' &&
            r.reason === `no connection to the OPC UA server opc.tcp://127.0.0.1:${port}/jieneng`,
        ),
      );
      expect(availability.get('b1-ahu-1')?.state).toBe('offline');
      expect(sub.counters.state).toBe('connecting');
      server = await uaServer({ objects: ['b1.ahu-1'], port });
      await started;
      await waitFor('good values', () => readings.some((r) => r.quality === 'good'));
      expect(availability.get('b1-ahu-1')?.state).toBe('online');
      expect(sub.counters).toMatchObject({ state: 'subscribed', monitored_items: 9 });
    } finally {
      await sub.stop();
      await server?.stop();
    }
  }, 120_000);

  it('retries a re-creation the restarted server refuses, says so, and recovers once it accepts', async () => {
    const first = await uaServer({ objects: ['b1.ahu-1'] });
    const lines: string[] = [];
    const own = createLogger({ level: 'info', sink: { write: (l) => lines.push(l) } });
    const readings: { at: number; r: Reading }[] = [];
    const sub = subscriber(
      connection(first.port, ['b1.ahu-1']),
      (rs) => readings.push(...rs.map((r) => ({ at: Date.now(), r }))),
      systemClock,
      { log: own },
    );
    const since = (t: number) => readings.filter((x) => x.at >= t).map((x) => x.r);
    let second: Awaited<ReturnType<typeof uaServer>> | undefined;
    try {
      await sub.start();
      await waitFor('the initial values', () => since(0).length >= 9);
      await first.stop();
      // The restarted server refuses every subscription for now.
      second = await uaServer({ objects: ['b1.ahu-1'], port: first.port, subscriptionsPerSession: 0 });
      const refusing = Date.now();
      await waitFor('two refused re-creations', () => sub.counters.resubscribe_failures >= 2);
      expect(lines.some((l) => l.includes('opcua subscription not created; retrying'))).toBe(true);
      expect(sub.counters.last_error).toContain('BadTooManySubscriptions');
      expect(sub.counters).toMatchObject({ state: 'resubscribing', monitored_items: 0, resubscriptions: 0 });
      await waitFor('bad readings naming the refusal', () =>
        since(refusing).some((r) => r.quality === 'bad' && r.reason?.includes('BadTooManySubscriptions')),
      );
      second.subscriptionsPerSession(10);
      const accepting = Date.now();
      await waitFor(
        'good values again',
        () => since(accepting).filter((r) => r.quality === 'good').length >= 9,
      );
      expect(sub.counters).toMatchObject({ state: 'subscribed', monitored_items: 9, resubscriptions: 1 });
      expect(lines.filter((l) => l.includes('opcua subscription re-created'))).toHaveLength(1);
    } finally {
      await sub.stop();
      await second?.stop();
    }
  }, 120_000);
});
