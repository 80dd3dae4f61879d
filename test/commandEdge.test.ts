import { join } from 'node:path';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ManualClock } from '../core/clock.ts';
import type { Command, CommandResult } from '../core/commands.ts';
import { generateCommandKey, signCommand } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { topics } from '../core/topics.ts';
import type { Sims } from '../device-sims/main.ts';
import { type Gateway, startGateway } from '../gateway/main.ts';
import { modbusSite, startModbusSims } from './helpers/modbusSite.ts';
import { waitFor } from './helpers/wait.ts';

/**
 * Defence at the edge on real parts: commands over a real Mosquitto to a real gateway polling the
 * simulated lighting relays and dimmers. Only a command signed with the gateway's key, fresh and
 * not seen before, and within the points' minimum on/off times and write rates reaches a device;
 * the test watches the device side (the simulator's write count and the building's lights), and
 * each refusal case is closed by a valid write that the same watch does see.
 */
describe('commands at the edge: signed by control, timing held by the gateway', () => {
  const GW = 'gw-edge';
  const NOKEY = 'gw-nokey';
  const key = generateCommandKey();
  const clock = new ManualClock(Date.parse('2025-07-02T10:00:00+08:00'));
  const registry = new Registry();
  const lines: string[] = [];
  const log = createLogger({ level: 'warn', sink: { write: (l) => lines.push(l) } });
  let sims: Sims;
  let gateway: Gateway;
  let keyless: Gateway;
  let restart: () => Promise<Gateway>;
  let client: mqtt.MqttClient;
  const results: CommandResult[] = [];
  /** The gateway's telemetry: what it last read of each point. */
  const readings = new Map<string, number | null>();
  const commandsSeen: Buffer[] = [];
  const writes = () => sims.status().detail?.modbus_writes as number;
  const lighting = (zone: string) => sims.simulation.building('zonghe-lou')?.zone(zone)?.lighting;

  beforeAll(async () => {
    const started = await startModbusSims(['zonghe-lights', 'zonghe-dimmer'], clock, log);
    sims = started.sims;
    const { site: loadedSite, dir } = modbusSite({
      port: started.port,
      gateways: [
        { id: GW, devices: started.devices },
        // The same relay module seen by a gateway that was given no key.
        { id: NOKEY, devices: [{ id: 'relays-2', profile: 'modbus/waveshare/relay-8ch', unit_id: 1 }] },
      ],
      control: {
        groups: [
          {
            id: 'lights',
            name: '综合楼 照明',
            building: 'zonghe-lou',
            class: 'lighting',
            devices: ['zonghe-lights'],
          },
          {
            id: 'dimmers',
            name: '综合楼 调光',
            building: 'zonghe-lou',
            class: 'lighting',
            devices: ['zonghe-dimmer'],
          },
        ],
        points: [
          { group: 'lights', point: 'relay_1', min_on: '10min', min_off: '10min' },
          { group: 'lights', point: 'relay_2', min_on: '10min', min_off: '10min' },
          { group: 'dimmers', point: 'dim_level_2', max_writes_per_hour: 2 },
        ],
      },
    });
    const mqttUrl = inject('mosquittoUrl');
    const common = { site: loadedSite, mqttUrl, clock, log, metrics: registry };
    restart = () => startGateway({ ...common, gatewayId: GW, dataDir: join(dir, 'gw'), commandKey: key });
    gateway = await restart();
    keyless = await startGateway({ ...common, gatewayId: NOKEY, dataDir: join(dir, 'nokey') });
    client = await mqtt.connectAsync(mqttUrl);
    await client.subscribeAsync(
      [topics.commandResult(GW), topics.commandResult(NOKEY), topics.command(GW), topics.telemetry(GW)],
      { qos: 1 },
    );
    client.on('message', (topic, payload) => {
      if (topic === topics.telemetry(GW)) {
        const batch = JSON.parse(payload.toString()) as {
          readings: { device: string; point: string; value: number | null }[];
        };
        for (const r of batch.readings) readings.set(`${r.device}/${r.point}`, r.value);
        return;
      }
      // Everything published on the command topic is what an eavesdropper on the broker captures.
      if (topic === topics.command(GW)) commandsSeen.push(Buffer.from(payload));
      else results.push(JSON.parse(payload.toString()) as CommandResult);
    });
  }, 120_000);
  afterAll(async () => {
    await client?.endAsync();
    await keyless?.stop();
    await gateway?.stop();
    await sims?.stop();
  });

  const command = (id: string, device: string, point: string, value: number): Command => ({
    id,
    device,
    point,
    value,
    requested_by: 'test',
    sent_at: new Date(clock.now()).toISOString(),
  });
  const signed = (c: Command, options: { issuedAt?: number; k?: Buffer; gateway?: string } = {}) =>
    signCommand(c, {
      gateway: options.gateway ?? GW,
      key: options.k ?? key,
      issuedAt: options.issuedAt ?? Date.now(),
    });

  /** Publishes a payload and waits for the next answer to `id`. */
  async function send(id: string, payload: unknown, gateway = GW): Promise<CommandResult> {
    const before = results.filter((r) => r.id === id).length;
    await client.publishAsync(
      topics.command(gateway),
      Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
      { qos: 1 },
    );
    await waitFor(`the answer to ${id}`, () => results.filter((r) => r.id === id).length > before, {
      seen: () => results.map((r) => r.id).join(', '),
    });
    return results.filter((r) => r.id === id).at(-1) as CommandResult;
  }
  async function refused(reason: string, gateway = GW): Promise<number> {
    const text = await registry.metrics();
    const m = text.match(
      new RegExp(
        `^jieneng_gateway_commands_refused_total\\{gateway="${gateway}",reason="${reason}"\\} (\\d+)$`,
        'm',
      ),
    );
    return Number(m?.[1]);
  }

  it('writes a signed command and reads it back (the positive control)', async () => {
    const before = writes();
    const r = await send('ok-1', signed(command('ok-1', 'zonghe-dimmer', 'dim_level_1', 30)));
    expect(r, r.reason).toMatchObject({ status: 'written', requested: 30, read_back: 30 });
    expect(writes()).toBe(before + 1);
    expect(lighting('f1-3')?.level).toBe(30);
  });

  it('refuses a forged signature, a wrong key, an unsigned and a stale command: none reaches the dimmer', async () => {
    const before = writes();
    const counts = {
      signature: await refused('signature'),
      unsigned: await refused('unsigned'),
      stale: await refused('stale'),
    };
    const forged = signed(command('forged', 'zonghe-dimmer', 'dim_level_1', 55));
    const cases: [string, unknown, string, RegExp][] = [
      [
        'forged',
        { ...forged, value: 90 },
        'signature',
        /^signature does not verify with gateway "gw-edge"'s command key$/,
      ],
      [
        'wrong-key',
        signed(command('wrong-key', 'zonghe-dimmer', 'dim_level_1', 90), { k: generateCommandKey() }),
        'signature',
        /^signature does not verify/,
      ],
      [
        'other-gw',
        signed(command('other-gw', 'zonghe-dimmer', 'dim_level_1', 90), { gateway: 'gw-x' }),
        'signature',
        /^signed for gateway "gw-x", not "gw-edge"$/,
      ],
      [
        'unsigned',
        command('unsigned', 'zonghe-dimmer', 'dim_level_1', 90),
        'unsigned',
        /^unsigned command: gateway "gw-edge" obeys only commands signed by control/,
      ],
      [
        'stale',
        signed(command('stale', 'zonghe-dimmer', 'dim_level_1', 90), { issuedAt: Date.now() - 6 * 60_000 }),
        'stale',
        /^issued_at .* is more than 5 min from gateway "gw-edge"'s clock/,
      ],
      [
        'future',
        signed(command('future', 'zonghe-dimmer', 'dim_level_1', 90), { issuedAt: Date.now() + 6 * 60_000 }),
        'stale',
        /is more than 5 min from/,
      ],
    ];
    for (const [id, payload, reason, text] of cases) {
      const r = await send(id, payload);
      expect(r, id).toMatchObject({ status: 'rejected', refused: reason, requested: 90 });
      expect(r.reason, id).toMatch(text);
    }
    expect(await refused('signature')).toBe(counts.signature + 3);
    expect(await refused('unsigned')).toBe(counts.unsigned + 1);
    expect(await refused('stale')).toBe(counts.stale + 2);
    // The positive control: a valid write after them is the only one the dimmer sees.
    const ok = await send('ok-2', signed(command('ok-2', 'zonghe-dimmer', 'dim_level_1', 35)));
    expect(ok).toMatchObject({ status: 'written', read_back: 35 });
    expect(writes()).toBe(before + 1);
    expect(lighting('f1-3')?.level).toBe(35);
  });

  it('does not write a captured command again: answered from memory, then refused as a replay', async () => {
    const captured = commandsSeen.length;
    const first = await send('cap', signed(command('cap', 'zonghe-dimmer', 'dim_level_1', 45)));
    expect(first).toMatchObject({ status: 'written', read_back: 45 });
    await waitFor('the captured command', () => commandsSeen.length > captured);
    const payload = commandsSeen[captured] as Buffer;
    expect(JSON.parse(payload.toString()).id).toBe('cap');
    await send('later', signed(command('later', 'zonghe-dimmer', 'dim_level_1', 60)));
    const before = writes();
    // Replayed while the gateway remembers the id: the first outcome again, nothing written.
    const again = await send('cap', payload);
    expect(again).toEqual(first);
    expect(lighting('f1-3')?.level).toBe(60);
    // A thousand other signed commands (to a device it does not have) push the id out of its memory.
    const replays = await refused('replay');
    for (let i = 0; i < 1000; i++)
      client.publish(
        topics.command(GW),
        JSON.stringify(signed(command(`fill-${i}`, 'elsewhere', 'relay_1', 1))),
        {
          qos: 1,
        },
      );
    await waitFor('a thousand answers', () => results.some((r) => r.id === 'fill-999'));
    const replayed = await send('cap', payload);
    expect(replayed).toMatchObject({ status: 'rejected', refused: 'replay', requested: 45 });
    expect(replayed.reason).toMatch(/^nonce .* was already used \(command cap\): a replay$/);
    expect(await refused('replay')).toBe(replays + 1);
    const ok = await send('ok-3', signed(command('ok-3', 'zonghe-dimmer', 'dim_level_1', 65)));
    expect(ok).toMatchObject({ status: 'written', read_back: 65 });
    expect(writes()).toBe(before + 1);
  }, 120_000);

  it('refuses a signed on/off toggled faster than its minimum on time, and writes it once allowed', async () => {
    // The lights of its zone off, as the gateway reads them: the write below switches them on.
    const zone = lighting('f1-3');
    if (zone) zone.on = false;
    await waitFor(
      'the gateway to read zonghe-lights/relay_1 off',
      () => readings.get('zonghe-lights/relay_1') === 0,
    );
    const on = await send('on', signed(command('on', 'zonghe-lights', 'relay_1', 1)));
    expect(on).toMatchObject({ status: 'written', read_back: 1 });
    expect(lighting('f1-3')?.on).toBe(true);
    const before = writes();
    const timing = await refused('timing');
    // An AC switched six times in 14 s, as seen on the broker before: every toggle is refused.
    for (const [i, value] of [0, 1, 0, 1, 0].entries()) {
      const r = await send(`toggle-${i}`, signed(command(`toggle-${i}`, 'zonghe-lights', 'relay_1', value)));
      if (value === 1) continue; // on while on: not a toggle, nothing to refuse (it is written again)
      expect(r, `toggle-${i}`).toMatchObject({ status: 'rejected', refused: 'timing' });
      expect(r.reason).toMatch(
        /^timing: zonghe-lights\/relay_1 has been on since 10:00; its minimum on time is 10 min, so off is allowed from 10:10$/,
      );
    }
    expect(await refused('timing')).toBe(timing + 3);
    expect(lighting('f1-3')?.on).toBe(true);
    clock.advance(10 * 60_000);
    const off = await send('off', signed(command('off', 'zonghe-lights', 'relay_1', 0)));
    expect(off).toMatchObject({ status: 'written', read_back: 0 });
    expect(lighting('f1-3')?.on).toBe(false);
    expect(writes()).toBe(before + 2 + 1); // the two "on while on", then the allowed off
  });

  it('counts the minimum on/off time from a switch: writing a relay the state it already has does not start one', async () => {
    // What the gateway has read of the relay (the lights of its zone as the building left them).
    await waitFor('the gateway to read zonghe-lights/relay_2', () => readings.has('zonghe-lights/relay_2'));
    const state = readings.get('zonghe-lights/relay_2') as number;
    const held = await send('hold', signed(command('hold', 'zonghe-lights', 'relay_2', state)));
    expect(held).toMatchObject({ status: 'written', read_back: state });
    // The relay was not switched by that write, so switching it now is allowed …
    const flipped = await send('flip', signed(command('flip', 'zonghe-lights', 'relay_2', 1 - state)));
    expect(flipped, flipped.reason).toMatchObject({ status: 'written', read_back: 1 - state });
    // … and that switch starts its minimum time.
    const back = await send('back', signed(command('back', 'zonghe-lights', 'relay_2', state)));
    expect(back).toMatchObject({ status: 'rejected', refused: 'timing' });
    expect(back.reason).toMatch(/minimum (on|off) time is 10 min, so (on|off) is allowed from 1\d:\d\d$/);
  });

  it('refuses a signed write beyond the point’s writes per hour', async () => {
    for (const v of [10, 20])
      expect(
        await send(`dim-${v}`, signed(command(`dim-${v}`, 'zonghe-dimmer', 'dim_level_2', v))),
      ).toMatchObject({
        status: 'written',
        read_back: v,
      });
    const before = writes();
    const r = await send('dim-30', signed(command('dim-30', 'zonghe-dimmer', 'dim_level_2', 30)));
    expect(r).toMatchObject({ status: 'rejected', refused: 'rate' });
    expect(r.reason).toBe(
      'rate: zonghe-dimmer/dim_level_2 was written 2 times in the last hour; at most 2 writes per hour are allowed',
    );
    expect(await refused('rate')).toBe(1);
    expect(writes()).toBe(before);
    expect(lighting('f4-8')?.level).toBe(20);
  });

  it('after a restart, refuses a command captured before it, though within the 5 min', async () => {
    const captured = commandsSeen.find((p) => JSON.parse(p.toString()).id === 'ok-1') as Buffer;
    await gateway.stop();
    gateway = await restart();
    // Its subscription is up once it answers something: an unsigned probe, refused.
    let probes = 0;
    await waitFor('the restarted gateway answering', async () => {
      probes++;
      await client.publishAsync(topics.command(GW), JSON.stringify(command(`probe-${probes}`, 'x', 'y', 0)));
      return results.some((r) => r.id.startsWith('probe-'));
    });
    const before = writes();
    const stale = await refused('stale');
    const r = await send('ok-1', captured);
    expect(r).toMatchObject({ status: 'rejected', refused: 'stale', requested: 30 });
    expect(r.reason).toMatch(
      /is before .*, when gateway "gw-edge" started or the oldest nonce it still remembers/,
    );
    expect(await refused('stale')).toBe(stale + 1);
    const ok = await send('ok-4', signed(command('ok-4', 'zonghe-dimmer', 'dim_level_1', 75)));
    expect(ok).toMatchObject({ status: 'written', read_back: 75 });
    expect(writes()).toBe(before + 1);
    expect(lighting('f1-3')?.level).toBe(75);
  });

  it('a gateway without a key refuses every command, and said so once when it started', async () => {
    const before = writes();
    const c = command('nokey-1', 'relays-2', 'relay_2', 0);
    const r = await send('nokey-1', signCommand(c, { gateway: NOKEY, key, issuedAt: Date.now() }), NOKEY);
    expect(r).toMatchObject({ status: 'rejected', refused: 'no_key' });
    expect(await refused('no_key', NOKEY)).toBe(1);
    expect(writes()).toBe(before);
    const warnings = lines.filter((l) => l.includes('no command key for gateway'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('no command key for gateway "gw-nokey": commands are refused');
  });
});
