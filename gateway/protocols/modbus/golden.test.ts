import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { modbusProfileSchema } from '../../../core/profiles/profileSchema.ts';
import { decodePoint } from './decode.ts';
import { planReads } from './plan.ts';

/**
 * Golden decoding cases: `testcases/<case>/input.yaml` holds a profile fragment and what the device
 * has in its registers (words computed independently, with Python's struct); `expected.yaml` the
 * values the gateway must decode. A decoding regression is one new folder.
 */
const casesDir = join(dirname(fileURLToPath(import.meta.url)), 'testcases');

type Table = 'coil' | 'discrete_input' | 'holding_register' | 'input_register';
interface CaseInput {
  profile: { defaults: { order: string; address_base: number }; points: Record<string, unknown>[] };
  registers: Partial<Record<Table, Record<string, (number | boolean)[]>>>;
}

/** The word (or bit) at protocol address `addr` of `table`; 0 where the device holds nothing. */
function held(input: CaseInput, table: Table, addr: number): number | boolean {
  for (const [start, values] of Object.entries(input.registers[table] ?? {})) {
    const i = addr - Number(start);
    if (i >= 0 && i < values.length)
      return table === 'coil' || table === 'discrete_input' ? Boolean(values[i]) : (values[i] as number);
  }
  return table === 'coil' || table === 'discrete_input' ? false : 0;
}

describe('Modbus decoding golden cases', () => {
  const cases = readdirSync(casesDir).sort();
  it('has at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases)('%s', (name) => {
    const input = parse(readFileSync(join(casesDir, name, 'input.yaml'), 'utf8')) as CaseInput;
    const expected = parse(readFileSync(join(casesDir, name, 'expected.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    const profile = modbusProfileSchema.parse({
      profile: 1,
      protocol: 'modbus',
      vendor: 'golden',
      model: name,
      source: { document: `golden case ${name}` },
      defaults: input.profile.defaults,
      points: input.profile.points.map((p) => ({ name: String(p.id), ...p })),
    });
    const decoded: Record<string, number | string> = {};
    for (const plan of planReads(profile, profile.points)) {
      const data = Array.from({ length: plan.length }, (_, i) => held(input, plan.table, plan.start + i));
      for (const { point, at } of plan.points) decoded[point.id] = decodePoint(profile, point, data, at);
    }
    expect(decoded).toEqual(expected);
  });
});
