import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';

/**
 * Golden cases for `jieneng config check`: each folder holds a site.yaml and expected.txt, the
 * exit code and exactly what the command prints. A new regression is one new folder.
 */
const casesDir = 'core/config/testcases';

async function runCheck(file: string): Promise<string> {
  let out = '';
  const code = await main(['config', 'check', file], { out: (t) => (out += t), err: (t) => (out += t) });
  return `exit ${code}\n${out}`;
}

describe('jieneng config check', () => {
  const cases = readdirSync(casesDir).sort();
  it('has the golden cases the acceptance list asks for', () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        'unknown-key',
        'wrong-type',
        'missing-profile',
        'duplicate-device-id',
        'meter-missing-point',
        'valid',
      ]),
    );
  });
  it.each(cases)('%s', async (name) => {
    const expected = readFileSync(join(casesDir, name, 'expected.txt'), 'utf8');
    expect(await runCheck(join(casesDir, name, 'site.yaml'))).toBe(expected);
  });
});
