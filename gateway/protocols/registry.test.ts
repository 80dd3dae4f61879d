import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connectionSchema } from '../../core/config/siteSchema.ts';
import { protocols } from '../../core/protocols/index.ts';
import { driverFor, drivers } from './index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const coreProtocols = join(here, '..', '..', 'core', 'protocols');
const folders = (dir: string) => readdirSync(dir).filter((f) => statSync(join(dir, f)).isDirectory());

describe('protocol registry', () => {
  it('has a registry line for every protocol folder and a folder for every line', () => {
    expect(Object.keys(drivers).sort()).toEqual(folders(here).sort());
  });

  it('has a driver for each protocol core knows, and a core folder for each driver', () => {
    expect(Object.keys(drivers).sort()).toEqual(protocols.map((p) => p.name).sort());
    expect(folders(coreProtocols).sort()).toEqual(folders(here).sort());
  });

  it('finds a driver for every protocol the site file accepts', async () => {
    for (const option of connectionSchema.options) {
      const driver = await driverFor(option.shape.protocol.value);
      expect(typeof driver.open, option.shape.protocol.value).toBe('function');
    }
    await expect(driverFor('no_such_protocol')).rejects.toThrow(
      'no driver for protocol "no_such_protocol"; protocols are: modbus_tcp, modbus_rtu, opcua',
    );
  });

  it('names no protocol outside the protocol folders and the registries', () => {
    // A branch on a protocol's name elsewhere is what a new protocol would have to find and extend.
    const names = /'(modbus|modbus_tcp|modbus_rtu|opcua)'/;
    const root = join(here, '..', '..');
    const offenders = ['gateway', 'core/config', 'core/profiles'].flatMap((dir) =>
      readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
        .map((f) => `${dir}/${f}`)
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.startsWith('gateway/protocols/'))
        .filter((f) => names.test(readFileSync(join(root, f), 'utf8'))),
    );
    expect(offenders).toEqual([]);
  });
});
