import { describe, expect, it } from 'vitest';
import { detectorSite, detectorsOn, reading } from './testSite.ts';

const MIN = 60_000;
const t0 = Date.parse('2026-07-01T09:00:00+08:00');
const meter = { id: 'm1', profile: 'modbus/eastron/sdm630', unit_id: 1 };
const points = ['voltage_l1', 'current_l1', 'active_power'];

/** One poll of m1 at `ms`: every point, or the ones in `only` (others missing from the batch). */
const poll = (ms: number, only = points, value: number | null = 230) =>
  only.map((p) =>
    reading(
      'm1',
      p,
      ms,
      value,
      value === null ? { reason: 'Modbus exception 2 (illegal data address)' } : {},
    ),
  );

describe('stale', () => {
  it('raises one condition per device naming how many points and since when, and clears when they report again', () => {
    const site = detectorSite({ devices: [meter], alarms: { rules: { stale: { after: '10min' } } } });
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    detectors.onBatch('gw', poll(t0));
    // Two points stop updating (the gateway still speaks: active_power comes every minute).
    for (let m = 1; m <= 12; m++) {
      clock.set(t0 + m * MIN);
      detectors.onBatch('gw', poll(t0 + m * MIN, ['active_power']));
      detectors.tick(t0 + m * MIN);
    }
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      rule: 'stale',
      key: 'm1',
      active: true,
      device: 'm1',
      gateway: 'gw',
      value: 2,
      at: '2026-07-01T09:10:00+08:00',
      cause: 'gateway_offline:gw',
    });
    expect(conditions[0]?.message).toContain(
      '2 of 3 points have brought no new reading since 2026-07-01 09:00:00',
    );
    expect(conditions[0]?.message_zh).toContain('3 个点中有 2 个自 2026-07-01 09:00:00 起没有新数据');
    clock.set(t0 + 13 * MIN);
    detectors.onBatch('gw', poll(t0 + 13 * MIN));
    detectors.tick(t0 + 13 * MIN);
    expect(conditions).toHaveLength(2);
    expect(conditions[1]).toMatchObject({
      rule: 'stale',
      key: 'm1',
      active: false,
      at: '2026-07-01T09:13:00+08:00',
    });
  });

  it('a device answering only bad readings goes stale with its own offline alarm as the cause', () => {
    const site = detectorSite({ devices: [meter], alarms: { rules: { stale: { after: '5min' } } } });
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    detectors.onBatch('gw', poll(t0));
    for (let m = 1; m <= 6; m++) {
      clock.set(t0 + m * MIN);
      detectors.onBatch('gw', poll(t0 + m * MIN, points, null));
      detectors.tick(t0 + m * MIN);
    }
    expect(conditions.filter((c) => c.rule === 'stale')).toEqual([
      expect.objectContaining({ active: true, value: 3, cause: 'device_offline:m1' }),
    ]);
  });

  it('does not judge the devices of a gateway that is offline, or silent for the whole limit', () => {
    const site = detectorSite({ devices: [meter], alarms: { rules: { stale: { after: '5min' } } } });
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    detectors.onBatch('gw', poll(t0));
    detectors.onAvailability('gw', false);
    detectors.tick(t0 + 6 * MIN);
    expect(conditions).toEqual([]);
    detectors.onAvailability('gw', true);
    clock.set(t0 + 6 * MIN); // nothing heard from gw since t0: it is the gateway that is silent
    detectors.tick(t0 + 6 * MIN);
    expect(conditions).toEqual([]);
  });

  it('does not judge OPC UA devices in subscription mode by silence (they send only changes)', () => {
    const site = detectorSite({
      devices: [meter],
      opcua: [{ id: 'ac1', object: 'zonghe-lou.f1-3' }],
      alarms: { rules: { stale: { after: '5min' } } },
    });
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    detectors.onBatch('gw', [reading('ac1', 'zone_temperature', t0, 26.1)]);
    for (let m = 1; m <= 30; m++) {
      clock.set(t0 + m * MIN);
      detectors.onBatch('gw', poll(t0 + m * MIN));
      detectors.tick(t0 + m * MIN);
    }
    expect(conditions).toEqual([]);
  });
});

describe('comm_errors', () => {
  const site = detectorSite({
    devices: [meter],
    alarms: { rules: { comm_errors: { share: 0.2, window: '10min' } } },
  });

  it('raises when the share of bad readings over the window passes the limit, with the gateway’s reason, and clears below half of it', () => {
    const { detectors, conditions } = detectorsOn(site, t0);
    let ms = t0;
    for (let i = 0; i < 10; i++) {
      ms += MIN;
      detectors.onBatch('gw', poll(ms));
    }
    expect(conditions).toEqual([]);
    // 3 bad polls of 12: 25 % > 20 %.
    for (let i = 0; i < 3; i++) {
      ms += MIN;
      detectors.onBatch('gw', poll(ms, points, null));
    }
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ rule: 'comm_errors', key: 'm1', active: true, value: 0.3 });
    expect(conditions[0]?.message).toMatch(
      /^device "m1": 30 % of its readings in the last 10 min were bad \(9 of 30; limit 20 %\): Modbus exception 2 \(illegal data address\) \(last at 2026-07-01 09:13:00\)$/,
    );
    expect(conditions[0]?.message_zh).toContain('最近 10 分钟 内 30% 的读数为坏值');
    // Good again: the bad polls age out of the window; cleared at ≤ 10 %.
    for (let i = 0; i < 9; i++) {
      ms += MIN;
      detectors.onBatch('gw', poll(ms));
    }
    expect(conditions).toHaveLength(2);
    expect(conditions[1]).toMatchObject({ rule: 'comm_errors', active: false });
    expect(conditions[1]?.value).toBeLessThanOrEqual(0.1);
  });

  it('one bad poll of a device just started is not a trend', () => {
    const { detectors, conditions } = detectorsOn(site, t0);
    detectors.onBatch('gw', poll(t0, points, null));
    detectors.onBatch('gw', poll(t0 + MIN, points, null));
    expect(conditions).toEqual([]);
  });
});

describe('stuck', () => {
  const site = detectorSite({
    devices: [meter],
    alarms: {
      rules: {
        stuck: {
          points: [{ profile: 'modbus/eastron/sdm630', point: 'active_power', for: '30min', tolerance: 0.5 }],
        },
      },
    },
  });

  it('raises for a configured point within its tolerance for longer than `for`, keyed device/point; clears when it moves', () => {
    const { detectors, conditions } = detectorsOn(site, t0);
    for (let m = 0; m <= 40; m++)
      detectors.onBatch('gw', [
        reading('m1', 'active_power', t0 + m * MIN, 5000 + (m % 2) * 0.4),
        reading('m1', 'voltage_l1', t0 + m * MIN, 230), // not configured: never judged
      ]);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      rule: 'stuck',
      key: 'm1/active_power',
      active: true,
      at: '2026-07-01T09:30:00+08:00',
      device: 'm1',
      point: 'active_power',
      value: 5000,
    });
    expect(conditions[0]?.message).toBe(
      'm1/active_power has stayed at 5000 ±0.5 since 2026-07-01 09:00:00 (30 min; limit 30 min)',
    );
    detectors.onBatch('gw', [reading('m1', 'active_power', t0 + 41 * MIN, 5200)]);
    expect(conditions[1]).toMatchObject({ rule: 'stuck', active: false, value: 5200 });
  });
});

describe('out_of_range', () => {
  const site = detectorSite({
    devices: [meter],
    alarms: {
      rules: {
        out_of_range: {
          points: [
            {
              device: 'm1',
              point: 'voltage_l1',
              min: 198,
              max: 242,
              deadband: 2,
              delay: '2min',
              severity: 'critical',
            },
          ],
        },
      },
    },
  });

  it('raises after the point’s delay with the value, and clears only back inside by the deadband', () => {
    const { detectors, conditions } = detectorsOn(site, t0);
    const v = (m: number, value: number) =>
      detectors.onBatch('gw', [reading('m1', 'voltage_l1', t0 + m * MIN, value, { unit: 'V' })]);
    v(0, 230);
    v(1, 250);
    v(2, 230); // back before the delay: nothing
    v(3, 251);
    v(4, 252);
    expect(conditions).toEqual([]);
    v(5, 253);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      rule: 'out_of_range',
      key: 'm1/voltage_l1',
      active: true,
      severity: 'critical',
      value: 253,
      at: '2026-07-01T09:05:00+08:00',
    });
    expect(conditions[0]?.message).toBe(
      'm1/voltage_l1 is 253 V at 2026-07-01 09:05:00, above the maximum 242 V (range 198…242 V) for 2 min',
    );
    expect(conditions[0]?.message_zh).toContain('高于上限 242 V');
    v(6, 241); // inside, not by the deadband
    expect(conditions).toHaveLength(1);
    v(7, 239.5);
    expect(conditions[1]).toMatchObject({ active: false, value: 239.5 });
  });
});

describe('alarms still active from before a restart (seed)', () => {
  const site = detectorSite({
    devices: [meter],
    alarms: {
      rules: {
        stale: { after: '10min' },
        stuck: {
          points: [{ profile: 'modbus/eastron/sdm630', point: 'active_power', for: '30min', tolerance: 0.5 }],
        },
        out_of_range: { points: [{ device: 'm1', point: 'voltage_l1', min: 198, max: 242, deadband: 2 }] },
      },
    },
  });

  it('a fresh run clears them on the first good judgement of the data', () => {
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    expect(
      detectors.seed([
        { rule: 'stale', key: 'm1', at: t0 - 60 * MIN },
        { rule: 'stuck', key: 'm1/active_power', at: t0 - 60 * MIN },
        { rule: 'out_of_range', key: 'm1/voltage_l1', at: t0 - 60 * MIN },
        { rule: 'gateway_offline', key: 'gw', at: t0 - 60 * MIN }, // not a telemetry rule
      ]),
    ).toBe(3);
    detectors.onBatch('gw', poll(t0));
    detectors.onBatch('gw', [reading('m1', 'active_power', t0 + MIN, 4000)]);
    clock.set(t0 + MIN);
    detectors.tick(t0 + MIN);
    expect(conditions.map((c) => [c.rule, c.key, c.active])).toEqual([
      ['out_of_range', 'm1/voltage_l1', false],
      ['stuck', 'm1/active_power', false],
      ['stale', 'm1', false],
    ]);
  });

  it('one whose data is still bad stays active (no clear; the figures updated)', () => {
    const { detectors, conditions, clock } = detectorsOn(site, t0);
    detectors.seed([
      { rule: 'stale', key: 'm1', at: t0 - 60 * MIN },
      { rule: 'out_of_range', key: 'm1/voltage_l1', at: t0 - 60 * MIN },
    ]);
    detectors.onBatch('gw', [reading('m1', 'voltage_l1', t0 - 20 * MIN, 250)]);
    detectors.onBatch('gw', [reading('m1', 'active_power', t0, 230)]);
    clock.set(t0);
    detectors.tick(t0);
    expect(conditions.map((c) => [c.rule, c.key, c.active])).toEqual([['stale', 'm1', true]]);
  });
});
