import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSite } from '../../core/config/loadSite.ts';
import { workingHours } from './afterHours.ts';
import { nightWindow } from './nightFlow.ts';

const site = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('the data rules’ local periods', () => {
  it('puts a night window on the local date it ends, starting the evening before when it crosses midnight', () => {
    expect(nightWindow('01:00-05:00', '2026-11-29', 'Asia/Shanghai')).toEqual({
      from: at('2026-11-29T01:00:00'),
      to: at('2026-11-29T05:00:00'),
    });
    expect(nightWindow('22:30-05:00', '2026-11-29', 'Asia/Shanghai')).toEqual({
      from: at('2026-11-28T22:30:00'),
      to: at('2026-11-29T05:00:00'),
    });
  });

  it('takes a building’s working hours from its air-conditioning on/off schedules, else 08:00–18:00', () => {
    expect(workingHours(site, 'zonghe-lou')).toEqual({
      start: 8,
      end: 18,
      source: 'control schedules zonghe-office-ac',
    });
    // 服务楼: the offices 08:00–18:00 and the canteen 10:30–13:30 — the span of both.
    expect(workingHours(site, 'fuwu-lou')).toMatchObject({ start: 8, end: 18 });
    const bare = { ...site, config: { ...site.config, control: { ...site.config.control, schedules: [] } } };
    expect(workingHours(bare, 'zonghe-lou')).toEqual({
      start: 8,
      end: 18,
      source: 'default 08:00–18:00 (no on/off schedule)',
    });
  });
});
