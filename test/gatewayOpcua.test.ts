import { mkdirSync, mkdtempSync, readdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../core/clock.ts';
import type { CommandResult } from '../core/commands.ts';
import { generateCommandKey, signCommand } from '../core/control/commandSignature.ts';
import type { Reading } from '../core/telemetry.ts';
import { CommandGuard } from '../gateway/commandGuard.ts';
import { createCommandHandler } from '../gateway/commandHandler.ts';
import { DeviceAvailability } from '../gateway/deviceAvailability.ts';
import { subscriberSession } from '../gateway/protocols/opcua/driver.ts';
import { connection, log, PROFILE, subscriber, uaServer, variant } from './helpers/opcua.ts';
import { waitFor } from './helpers/wait.ts';

describe('gateway OPC UA acquisition', () => {
  it('decodes a server built directly with node-opcua’s server API (not device-sims)', async () => {
    const server = await uaServer({ objects: ['b1.ahu-1'] });
    const readings: Reading[] = [];
    const sub = subscriber(connection(server.port, ['b1.ahu-1']), (r) => readings.push(...r));
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 9);
    } finally {
      await sub.stop();
      await server.stop();
    }
    const got = Object.fromEntries(readings.map((r) => [r.point, r.value]));
    expect(got).toEqual({
      on_off: 1,
      mode: 0, // index in the profile's values: cool, heat, fan, auto
      cooling_setpoint: 25.5,
      heating_setpoint: 19,
      fan_speed: 2,
      zone_temperature: 27.25,
      electric_power: 4321.5,
      thermal_output: 12000,
      status: 1, // off, cooling, heating, fan
    });
    expect(readings.every((r) => r.quality === 'good' && r.device === 'b1-ahu-1')).toBe(true);
  });

  it('keeps within the server’s OperationLimits when subscribing and when polling', async () => {
    const objects = ['b1.ahu-1', 'b1.ahu-2'];
    // The server answers BadTooManyOperations to any call above these limits.
    const server = await uaServer({
      objects,
      operationLimits: { maxMonitoredItemsPerCall: 4, maxNodesPerRead: 4 },
    });
    try {
      const subscribed: Reading[] = [];
      const sub = subscriber(connection(server.port, objects), (r) => subscribed.push(...r));
      await sub.start();
      await waitFor('18 initial values', () => subscribed.length >= 18);
      await sub.stop();
      expect(sub.counters.operation_limits).toEqual({
        max_nodes_per_read: 4,
        max_monitored_items_per_call: 4,
      });
      expect(sub.counters.monitored_items).toBe(18);
      // 2 zone temperatures with a deadband in one call, the other 16 items in 4 calls of 4.
      expect(sub.counters.create_calls).toBe(5);
      expect(new Set(subscribed.map((r) => `${r.device}/${r.point}`)).size).toBe(18);

      const polled: Reading[] = [];
      const poll = subscriber(
        connection(server.port, objects, { mode: 'polling', poll_interval: '200ms' }),
        (r) => polled.push(...r),
      );
      await poll.start();
      await waitFor('two polling cycles', () => polled.length >= 36);
      await poll.stop();
      expect(poll.counters.mode).toBe('polling');
      expect(poll.counters.read_calls).toBeGreaterThanOrEqual(10); // ⌈18 / 4⌉ = 5 Reads per cycle
      expect(polled.every((r) => r.quality === 'good')).toBe(true);
      expect(polled.find((r) => r.point === 'cooling_setpoint')?.value).toBe(25.5);
    } finally {
      await server.stop();
    }
  }, 120_000);

  it('writes a command, reads it back, and never writes what the node map forbids', async () => {
    const server = await uaServer({ objects: ['b1.ahu-1'] });
    const results: CommandResult[] = [];
    const sub = subscriber(connection(server.port, ['b1.ahu-1']), () => {});
    const key = generateCommandKey();
    const handle = createCommandHandler({
      gatewayId: 'gw',
      guard: new CommandGuard({ gatewayId: 'gw', key, now: Date.now }),
      sessions: () => [subscriberSession(sub, log)],
      clock: new ManualClock(0),
      log,
      publish: async (r) => {
        results.push(r);
      },
    });
    const send = (id: string, point: string, value: number) =>
      handle(
        Buffer.from(
          JSON.stringify(
            signCommand(
              { id, device: 'b1-ahu-1', point, value, sent_at: '2025-07-02T10:00:00+08:00' },
              { gateway: 'gw', key, issuedAt: Date.now() },
            ),
          ),
        ),
      );
    try {
      await sub.start();
      send('c1', 'cooling_setpoint', 27);
      send('c2', 'mode', 1); // heat
      send('c3', 'zone_temperature', 20); // read-only
      send('c4', 'cooling_setpoint', 40); // above the unit's 32 °C
      send('c5', 'mode', 7); // no such mode
      await waitFor('five outcomes', () => results.length >= 5);
    } finally {
      await sub.stop();
      await server.stop();
    }
    const by = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(by.c1).toMatchObject({ status: 'written', read_back: 27 });
    expect(by.c2).toMatchObject({ status: 'written', read_back: 1 });
    expect(by.c3).toMatchObject({
      status: 'rejected',
      reason: 'point "zone_temperature" of device "b1-ahu-1" is read-only',
    });
    expect(by.c4?.reason).toContain('above the maximum 32 °C');
    expect(by.c5?.reason).toContain('takes one of 0 (cool), 1 (heat), 2 (fan), 3 (auto)');
    // The server saw exactly the two valid writes.
    expect(server.writes).toEqual([
      { node: 'b1.ahu-1.CoolingSetpoint', value: 27 },
      { node: 'b1.ahu-1.Mode', value: 'heat' },
    ]);
  }, 120_000);

  it('flags a value that stops changing as stale (uncertain), once', async () => {
    const server = await uaServer({ objects: ['b1.ahu-1'] });
    const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
    const readings: Reading[] = [];
    const conn = connection(server.port, ['b1.ahu-1'], {}, { stale_after: '1s' });
    const sub = subscriber(conn, (r) => readings.push(...r), clock);
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 9);
      clock.advance(5_000);
      await waitFor('stale flags', () => readings.some((r) => r.quality === 'uncertain'));
      // The temperature moves, then rests again: flagged a second time, which takes later checks —
      // checks that must not flag the power and thermal output again.
      server.set('b1.ahu-1.ZoneTemperature', 27.5);
      await waitFor('the new temperature', () =>
        readings.some((r) => r.value === 27.5 && r.quality === 'good'),
      );
      clock.advance(5_000);
      const flags = () => readings.filter((r) => r.quality === 'uncertain' && r.point === 'zone_temperature');
      await waitFor('the temperature flagged again', () => flags().length >= 2);
    } finally {
      await sub.stop();
      await server.stop();
    }
    const stale = readings.filter(
      (r) => r.quality === 'uncertain' && !(r.point === 'zone_temperature' && r.value === 27.5),
    );
    // Only values that should move: temperature, power and thermal output — not setpoints or modes.
    expect(stale.map((r) => r.point).sort()).toEqual([
      'electric_power',
      'thermal_output',
      'zone_temperature',
    ]);
    expect(stale.every((r) => r.reason?.startsWith('stale: unchanged since '))).toBe(true);
    expect(stale.find((r) => r.point === 'zone_temperature')?.value).toBe(27.25);
    expect(readings.filter((r) => r.quality === 'uncertain' && r.value === 27.5)).toHaveLength(1);
  }, 120_000);

  it('refuses an untrusted server certificate, says where it is, and connects once it is trusted', async () => {
    const server = await uaServer({ objects: ['b1.ahu-1'], secure: true });
    const pki = mkdtempSync(join(tmpdir(), 'jn-ua-trust-'));
    const conn = connection(server.port, ['b1.ahu-1'], {
      security_mode: 'Sign',
      security_policy: 'Basic256Sha256',
      trusted_certificates: pki,
    });
    const readings: Reading[] = [];
    try {
      const first = subscriber(conn, () => {});
      const failure = await first.start().then(
        () => 'connected',
        (err: Error) => err.message,
      );
      await first.stop();
      expect(failure).toContain(`move it to ${join(pki, 'trusted', 'certs')}`);
      const rejected = readdirSync(join(pki, 'rejected'));
      expect(rejected.length).toBe(1);
      mkdirSync(join(pki, 'trusted', 'certs'), { recursive: true });
      renameSync(join(pki, 'rejected', rejected[0] ?? ''), join(pki, 'trusted', 'certs', rejected[0] ?? ''));
      const second = subscriber(conn, (r) => readings.push(...r));
      await second.start();
      await waitFor('values over a signed channel', () => readings.length >= 9);
      await second.stop();
    } finally {
      await server.stop();
    }
    expect(readings.find((r) => r.point === 'cooling_setpoint')?.value).toBe(25.5);
  }, 120_000);

  it('finds variables by browse name when the profile gives no node template', async () => {
    // The server's variables have numeric NodeIds: a String NodeId template cannot name them.
    const server = await uaServer({ objects: ['b1.ahu-1'], numericVariables: true });
    const byBrowseName = variant((p) => ({
      ...p,
      points: p.points.map(({ node: _node, ...point }) => point),
    }));
    const readings: Reading[] = [];
    const sub = subscriber(connection(server.port, ['b1.ahu-1']), (r) => readings.push(...r), undefined, {
      profiles: byBrowseName,
    });
    try {
      await sub.start();
      await waitFor('the initial values', () => readings.length >= 9);
    } finally {
      await sub.stop();
      await server.stop();
    }
    expect(readings.every((r) => r.quality === 'good')).toBe(true);
    expect(Object.fromEntries(readings.map((r) => [r.point, r.value]))).toMatchObject({
      cooling_setpoint: 25.5,
      electric_power: 4321.5,
      mode: 0,
    });
    expect(sub.counters).toMatchObject({ monitored_items: 9, failed_items: 0 });
  }, 120_000);

  it('publishes bad readings listing the server’s namespaces when the profile’s is not there', async () => {
    const server = await uaServer({ objects: ['b1.ahu-1'] });
    const elsewhere = variant((p) => ({ ...p, namespace: 'urn:vendor:elsewhere' }));
    const availability = new DeviceAvailability({ clock: systemClock, log });
    const readings: Reading[] = [];
    const sub = subscriber(connection(server.port, ['b1.ahu-1']), (r) => readings.push(...r), undefined, {
      profiles: elsewhere,
      availability,
    });
    try {
      await sub.start();
      await waitFor('a reading for every point', () => new Set(readings.map((r) => r.point)).size === 9);
    } finally {
      await sub.stop();
      await server.stop();
    }
    expect(readings.every((r) => r.quality === 'bad')).toBe(true);
    const reason = readings[0]?.reason ?? '';
    expect(reason).toContain(`profile "${PROFILE}" names namespace urn:vendor:elsewhere, which the server`);
    // What the server has, with index and URI, so the profile can be fixed from the message alone.
    expect(reason).toMatch(
      /its namespaces are: 0 http:\/\/opcfoundation\.org\/UA\/, .*\d urn:jieneng:device-sims/,
    );
    expect(availability.get('b1-ahu-1')).toMatchObject({ state: 'offline', reason });
    expect(sub.counters.failed_items).toBe(9);
  }, 120_000);
});
