import { describe, expect, it } from 'vitest';
import { modbusProfileSchema } from '../../../core/profiles/profileSchema.ts';
import { planReads } from './plan.ts';

const profile = (addresses: number[], type = 'float32') =>
  modbusProfileSchema.parse({
    profile: 1,
    protocol: 'modbus',
    vendor: 'test',
    model: 'test',
    source: { document: 'test' },
    points: addresses.map((address, i) => ({
      id: `p${i}`,
      name: `p${i}`,
      function: 'input_register',
      address,
      type,
    })),
  });

describe('request planning', () => {
  it('reads neighbouring and near points in one request, far ones in another', () => {
    const p = profile([0, 2, 4, 0x34, 0x46, 0x48]);
    const plans = planReads(p, p.points);
    expect(plans.map((r) => [r.start, r.length])).toEqual([
      [0, 6],
      [0x34, 0x4a - 0x34],
    ]);
    expect(plans[1]?.points.map((x) => x.at)).toEqual([0, 0x12, 0x14]);
  });

  it('never asks for more than 125 registers in one request', () => {
    const p = profile([0, 60, 120, 124]);
    const plans = planReads(p, p.points, { maxGap: 100 });
    expect(plans.map((r) => [r.start, r.length])).toEqual([
      [0, 122],
      [124, 2],
    ]);
  });

  it('honours a device that takes at most 4 registers per request', () => {
    const p = profile([0, 2, 4, 6]);
    expect(planReads(p, p.points, { maxRegisters: 4 }).map((r) => [r.start, r.length])).toEqual([
      [0, 4],
      [4, 4],
    ]);
  });

  it('asks for each point on its own when the device answers nothing else', () => {
    const p = profile([0, 2, 4]);
    expect(planReads(p, p.points, { onePerPoint: true }).map((r) => [r.start, r.length])).toEqual([
      [0, 2],
      [2, 2],
      [4, 2],
    ]);
  });

  it('reads through no unused register with a gap of 0', () => {
    const p = profile([0, 2, 6]);
    expect(planReads(p, p.points, { maxGap: 0 }).map((r) => [r.start, r.length])).toEqual([
      [0, 4],
      [6, 2],
    ]);
  });
});
