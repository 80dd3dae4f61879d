import { describe, expect, it } from 'vitest';
import type { Command } from '../../../core/commands.ts';
import { loadProfile } from '../../../core/profiles/loadProfile.ts';
import type { ModbusProfile } from '../../../core/profiles/profileSchema.ts';
import { validateCommand } from './commands.ts';

function profile(ref: string): ModbusProfile {
  const r = loadProfile(ref);
  if (!r.ok || r.profile.protocol !== 'modbus') throw new Error(ref);
  return r.profile;
}
const cmd = (point: string, value: number): Command => ({
  id: 'c1',
  device: 'd1',
  point,
  value,
  sent_at: '2026-11-25T02:00:00Z',
});

describe('command validation against the profile', () => {
  const dimmer = profile('modbus/homemaster/dim-420-r1');
  const relay = profile('modbus/waveshare/relay-8ch');
  const meter = profile('modbus/eastron/sdm630');

  it('turns a dimmer percentage into Percent×10 in its holding register', () => {
    expect(validateCommand(cmd('dim_level_1', 30), dimmer, 'd')).toMatchObject({
      ok: true,
      target: { table: 'holding_register', address: 440, words: [300] },
    });
  });

  it('turns an on/off into a coil write', () => {
    expect(validateCommand(cmd('relay_3', 0), relay, 'r')).toMatchObject({
      ok: true,
      target: { table: 'coil', address: 2, bit: false },
    });
  });

  it.each([
    ['above the range', cmd('dim_level_1', 150), dimmer, 'above the maximum 100 %'],
    ['below the range', cmd('dim_level_2', -5), dimmer, 'below the minimum 0 %'],
    [
      'finer than the resolution',
      cmd('dim_level_1', 33.33),
      dimmer,
      'not a multiple of the resolution 0.1 %',
    ],
    [
      'a read-only point',
      cmd('active_power', 1000),
      meter,
      'point "active_power" of device "d1" is read-only',
    ],
    ['an unknown point', cmd('relay_9', 1), relay, 'has no point "relay_9"'],
    ['a bit with another value', cmd('relay_1', 2), relay, 'write 0 or 1, not 2'],
  ])('rejects %s with the reason', (_what, command, p, reason) => {
    const result = validateCommand(command, p, 'the-profile');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(reason);
  });
});
