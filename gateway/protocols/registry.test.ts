import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionSchema } from '../../core/config/siteSchema.ts';
import { drivers } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('protocol registry', () => {
  it('has a registry line for every protocol folder and a folder for every line', () => {
    const folders = readdirSync(here).filter((f) => statSync(join(here, f)).isDirectory());
    expect(new Set(Object.values(drivers).map((d) => d.folder))).toEqual(new Set(folders));
  });

  it('registers every protocol the site file accepts', () => {
    const accepted = connectionSchema.options.map((o) => o.shape.protocol.value);
    expect(Object.keys(drivers).sort()).toEqual(accepted.sort());
  });
});
