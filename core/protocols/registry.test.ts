import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundledProfilesDir } from '../profiles/loadProfile.ts';
import { connectionProtocols, connectionSchema, profileSchemas, protocols } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const folders = (dir: string) => readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory());

describe('core protocol registry', () => {
  it('has one line per protocol folder and a folder per line', () => {
    expect(protocols.map((p) => p.name).sort()).toEqual(folders(here).sort());
  });

  it('names each profile format after its protocol, so a profile file says which it is', () => {
    for (const p of protocols) expect(p.profile.shape.protocol.value).toBe(p.name);
    expect(Object.keys(profileSchemas).sort()).toEqual(protocols.map((p) => p.name).sort());
  });

  it('gives every connection protocol of the site file to exactly one protocol', () => {
    const accepted = connectionSchema.options.map((o) => o.shape.protocol.value);
    expect(connectionProtocols()).toEqual(accepted);
    expect(new Set(accepted).size).toBe(accepted.length);
  });

  it('keeps bundled profiles only in folders of registered protocols', () => {
    const bundled = folders(bundledProfilesDir).filter((f) => f !== 'testcases');
    expect(bundled.filter((f) => !(f in profileSchemas))).toEqual([]);
  });
});
