import { describe, expect, it } from 'vitest';
import { detectorSite, detectorsOn, reading } from './testSite.ts';

const MIN = 60_000;
const t0 = Date.parse('2026-07-01T09:00:00+08:00');
const devices = [
  { id: 'em', profile: 'modbus/eastron/sdm630', unit_id: 1 },
  { id: 'wm', profile: 'modbus/xintai/water-meter', unit_id: 2 },
];
const meters = [
  {
    id: 'main',
    name: '综合楼总表',
    device: 'em',
    point: 'import_energy',
    category: 'electricity',
    building: 'zonghe-lou',
    role: 'main',
    rollover: 100000,
    replacements: [{ at: '2026-07-01T12:00:30+08:00', old_final: 99990, new_initial: 10 }],
  },
  {
    id: 'water',
    device: 'wm',
    point: 'total_volume',
    category: 'water',
    building: 'zonghe-lou',
    role: 'main',
  },
];

/** Detectors on the test site, and a feeder of counter readings one minute apart from t0. */
function setup(
  alarms: object = { rules: { meter_jump: { max_kw: 600 }, meter_reset: { clear_after: '5min' } } },
) {
  const site = detectorSite({ devices, meters, alarms });
  const d = detectorsOn(site, t0);
  let m = 0;
  const feed = (device: string, point: string, ...values: number[]) => {
    for (const v of values)
      d.detectors.onBatch('gw', [
        reading(device, point, t0 + m++ * MIN, v, { unit: device === 'em' ? 'kWh' : 'm³' }),
      ]);
  };
  return {
    ...d,
    em: (...v: number[]) => feed('em', 'import_energy', ...v),
    wm: (...v: number[]) => feed('wm', 'total_volume', ...v),
  };
}

describe('meter anomalies', () => {
  it('ordinary counting raises nothing', () => {
    const { em, conditions } = setup();
    em(...Array.from({ length: 120 }, (_, i) => 50000 + i * 5)); // 300 kW
    expect(conditions).toEqual([]);
  });

  it('counter reset: raised at the reading that dropped to about 0 (judged with the reading after), cleared after clear_after of ordinary readings', () => {
    const { em, conditions } = setup();
    em(30000, 30005, 30010, 0.4, 5.4, 10.4);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({
      rule: 'meter_reset',
      key: 'main',
      active: true,
      building: 'zonghe-lou',
      device: 'em',
      point: 'import_energy',
      value: 0.4,
      at: '2026-07-01T09:03:00+08:00',
    });
    expect(conditions[0]?.message).toBe(
      'meter 综合楼总表 (main) was reset: 30010 → 0.4 kWh at 2026-07-01 09:03:00 (counted on from 0)',
    );
    expect(conditions[0]?.message_zh).toBe(
      '表计 main（综合楼总表） 读数清零：30010 → 0.4 kWh（2026-07-01 09:03:00），从 0 重新计数',
    );
    em(15.4, 20.4, 25.4, 30.4);
    expect(conditions).toHaveLength(2);
    expect(conditions[1]).toMatchObject({
      rule: 'meter_reset',
      active: false,
      at: '2026-07-01T09:08:00+08:00',
    });
  });

  it('a single zero between ordinary readings is a glitch, as in the rollups: no alarm', () => {
    const { em, conditions } = setup();
    em(50000, 50005, 0, 50015, 50020);
    expect(conditions).toEqual([]);
  });

  it('rollover at the configured modulus', () => {
    const { em, conditions } = setup();
    em(99980, 99985, 99990, 3, 8);
    expect(conditions[0]).toMatchObject({ rule: 'meter_rollover', key: 'main', active: true, value: 3 });
    expect(conditions[0]?.message).toContain(
      'wrapped at 100000 kWh: 99990 → 3 kWh at 2026-07-01 09:03:00, counted as 13 kWh',
    );
  });

  it('a recorded replacement is informational (warning) and names the record', () => {
    // 12:00 local: the replacement recorded at 12:00:30 falls in the step 12:00 → 12:01.
    const site = detectorSite({ devices, meters });
    const d = detectorsOn(site, t0);
    const at = Date.parse('2026-07-01T12:00:00+08:00');
    const vals = [99980, 99985, 12, 17, 22];
    vals.forEach((v, i) => {
      d.detectors.onBatch('gw', [reading('em', 'import_energy', at + (i - 1) * MIN, v)]);
    });
    expect(d.conditions).toHaveLength(1);
    expect(d.conditions[0]).toMatchObject({
      rule: 'meter_replacement',
      key: 'main',
      active: true,
      value: 12,
    });
    expect(d.conditions[0]?.message).toContain(
      "replaced as recorded at 2026-07-01 12:00:30: the old meter's last reading 99990 kWh, the new one from 10 kWh",
    );
  });

  it('reverse flow: down, not to 0, no rollover or record', () => {
    const { wm, conditions } = setup();
    wm(1200, 1200.5, 1201, 1190, 1190.5, 1191);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ rule: 'meter_reverse', key: 'water', value: 1190 });
    expect(conditions[0]?.message).toContain('went backwards: 1201 → 1190 m³ (−11 m³)');
  });

  it('jump: an increase beyond max_kw; a spike that comes back is a glitch', () => {
    const { em, conditions } = setup();
    em(50000, 50005, 51005, 51010, 51015);
    expect(conditions).toHaveLength(1);
    expect(conditions[0]).toMatchObject({ rule: 'meter_jump', key: 'main', value: 51005 });
    expect(conditions[0]?.message).toContain(
      'jumped 50005 → 51005 kWh (+1000 kWh in 60 s, 60000 kW) at 2026-07-01 09:02:00, above the physical bound 600 kW',
    );
    const b = setup();
    b.em(50000, 50005, 60000, 50015, 50020);
    expect(b.conditions).toEqual([]);
  });

  it('jump without max_m3h: 10 × the largest hour once a day of hours is known', () => {
    const { wm, conditions } = setup({});
    const values = Array.from({ length: 24 * 60 + 2 }, (_, i) => 1000 + i * 0.05); // 3 m³/h for a day
    wm(...values);
    expect(conditions).toEqual([]);
    const last = values.at(-1) ?? 0;
    wm(last + 0.6, last + 0.65); // 0.6 m³ in a minute: 36 m³/h, above 10 × 3
    expect(conditions.map((c) => c.rule)).toEqual(['meter_jump']);
    expect(conditions[0]?.message).toContain('above the physical bound 30 m³/h');
  });
});
