import { describe, expect, it } from 'vitest';
import { listProfiles, loadProfile } from './loadProfile.ts';

describe('profile library', () => {
  const refs = listProfiles();

  it('holds at least one real electricity meter with an energy counter', () => {
    expect(refs).toContain('modbus/eastron/sdm630');
  });

  it.each(refs)('%s is valid and cites its source', (ref) => {
    const result = loadProfile(ref);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.profile.source.document.length).toBeGreaterThan(10);
  });

  it('reports every problem of a broken profile with its place in the file', () => {
    const result = loadProfile('modbus/broken/meter', new URL('./testcases', import.meta.url).pathname);
    expect(result.ok).toBe(false);
    const problems =
      'problems' in result ? result.problems.map((p) => `${p.line}: ${p.path}: ${p.message}`) : [];
    expect(problems).toEqual([
      '2: source: required: expected object',
      '7: points[0].type: must be one of "bit", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64", "string"',
      '8: points[1].address: required: expected number',
      '8: points[1].addres: unknown key "addres"; allowed here: id, name, function, address, type, length, order, scale, offset, unit, access, role, min, max',
    ]);
  });
});
