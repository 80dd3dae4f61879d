import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../core/profiles/loadProfile.ts';

// The worked profile examples of core/README.md, each under the path its first comment gives.
const readme = readFileSync('core/README.md', 'utf8');
const examples = [...readme.matchAll(/```yaml\n(# \.\/profiles\/(\S+)\.yaml[^\n]*\n[\s\S]*?)```/g)].map(
  (m) => ({
    ref: m[2] ?? '',
    text: m[1] ?? '',
  }),
);

describe('the profile examples of core/README.md', () => {
  it('has one Modbus and one OPC UA example', () => {
    expect(examples.map((e) => e.ref.split('/')[0])).toEqual(['modbus', 'opcua']);
  });

  it.each(examples)('$ref is a valid profile of its protocol folder', ({ ref, text }) => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-readme-profiles-'));
    const file = join(dir, `${ref}.yaml`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    const result = loadProfile(ref, dir);
    if (!result.ok) throw new Error(`core/README.md example ${ref} is not valid: ${JSON.stringify(result)}`);
    expect(result.profile.points.length).toBeGreaterThan(2);
  });
});
