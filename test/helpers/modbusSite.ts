import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Clock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadedSite.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import type { Logger } from '../../core/log.ts';
import { type Sims, startSims } from '../../device-sims/main.ts';
import { defaultScenarioFile, loadScenario } from '../../device-sims/scenario/load.ts';
import { freePort } from '../servers/process.ts';

/** A device of the demo scenario, on the simulator's Modbus port. */
export interface SimDevice {
  id: string;
  profile: string;
  unit_id: number;
}

/**
 * The demo scenario's devices `ids` (lighting relays and dimmers of 综合楼, …) served by the
 * simulator on one free Modbus TCP port, unit ids 1, 2, … in that order.
 */
export async function startModbusSims(
  ids: string[],
  clock: Clock,
  log: Logger,
): Promise<{ sims: Sims; port: number; devices: SimDevice[] }> {
  const loaded = loadScenario(defaultScenarioFile);
  const port = await freePort();
  const devices = loaded.scenario.devices
    .filter((d) => ids.includes(d.id))
    .map((d, i) => ({ ...d, modbus: { port, unit_id: i + 1 } }));
  const sims = await startSims({
    scenario: { ...loaded, scenario: { ...loaded.scenario, devices, opcua: undefined } },
    clock,
    log,
  });
  return {
    sims,
    port,
    devices: devices.map((d) => ({ id: d.id, profile: d.profile, unit_id: d.modbus.unit_id })),
  };
}

/**
 * A site of the building 综合楼 whose gateways poll `devices` on the simulator's `port` every
 * second, with the given `control:` section; written to a temp dir and loaded.
 */
export function modbusSite(options: {
  port: number;
  gateways: { id: string; devices: SimDevice[] }[];
  control?: object;
}): { site: LoadedSite; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jn-site-'));
  const doc = {
    version: 1,
    site: { id: 'sim-site', name: '模拟楼测试' },
    organization: {
      id: 'org',
      name: '测试',
      buildings: [
        {
          id: 'zonghe-lou',
          name: '综合楼',
          category: 'office',
          climate_zone: 'hot_summer_warm_winter',
          floor_area: [{ from: '2020-01-01', value: 18600 }],
          headcount: [{ from: '2020-01-01', value: 560 }],
        },
      ],
    },
    gateways: options.gateways.map((g) => ({
      id: g.id,
      connections: [
        {
          id: `tcp-${g.id}`,
          protocol: 'modbus_tcp',
          host: '127.0.0.1',
          port: options.port,
          devices: g.devices.map((d) => ({ ...d, poll_interval: '1s' })),
        },
      ],
    })),
    ...(options.control ? { control: options.control } : {}),
  };
  writeFileSync(join(dir, 'site.yaml'), stringify(doc));
  return { site: loadSite(join(dir, 'site.yaml')), dir };
}
