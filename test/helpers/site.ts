import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultScenarioFile } from '../../device-sims/scenario/load.ts';

/**
 * Writes a site file with one gateway polling `devices` (SDM630s) on 127.0.0.1:`modbusPort`, and the
 * scenario that simulates them there (1 s physics steps, so counters move in real time).
 */
export function writeTestSite(options: {
  modbusPort: number;
  gatewayId: string;
  devices: string[];
  pollInterval?: string;
  timeout?: string;
}): { dir: string; file: string; scenarioFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'jn-site-'));
  const site = {
    version: 1,
    site: { id: 'test-site', name: '测试园区', timezone: 'Asia/Shanghai' },
    organization: {
      id: 'test-org',
      name: '测试机关事务管理局',
      buildings: [
        {
          id: 'b1',
          name: '一号楼',
          category: 'office',
          climate_zone: 'hot_summer_warm_winter',
          floor_area: [{ from: '2020-01-01', value: 10000 }],
          headcount: [{ from: '2020-01-01', value: 300 }],
        },
      ],
    },
    gateways: [
      {
        id: options.gatewayId,
        connections: [
          {
            id: 'bus-1',
            protocol: 'modbus_tcp',
            host: '127.0.0.1',
            port: options.modbusPort,
            timeout: options.timeout ?? '5s',
            devices: options.devices.map((id, i) => ({
              id,
              profile: 'modbus/eastron/sdm630',
              unit_id: i + 1,
              poll_interval: options.pollInterval ?? '200ms',
            })),
          },
        ],
      },
    ],
    meters: options.devices.map((device) => ({
      id: `${device}-kwh`,
      device,
      point: 'import_energy',
      category: 'electricity',
      building: 'b1',
      role: 'main',
      item_code: '01000', // 分项编码 电 (core/itemCodes): every sample site's meters are coded
    })),
  };
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(site));
  const scenarioFile = join(dir, 'scenario.yaml');
  writeFileSync(scenarioFile, stringify(testScenario(options.modbusPort, options.devices)));
  return { dir, file, scenarioFile };
}

const measures = ['main', 'hvac', 'lighting_socket', 'power', 'special'];

/** A one-building scenario (the default scenario's weather) serving `devices` as SDM630s on `port`, unit ids 1, 2, … */
function testScenario(port: number, devices: string[]): unknown {
  const base = parse(readFileSync(defaultScenarioFile, 'utf8'));
  return {
    version: 1,
    name: '测试楼',
    seed: 7,
    step: 1,
    weather: base.weather,
    buildings: [
      {
        id: 'b1',
        floor_area: 10000,
        headcount: 300,
        elevators: { count: 2, rated_power: 15 },
        pumps: 10,
        data_room: 20,
        zones: [
          {
            id: 'office',
            area: 10000,
            occupant_share: 1,
            hvac: { cooling_capacity: 150, heating_capacity: 80 },
          },
        ],
      },
    ],
    devices: devices.map((id, i) => ({
      id,
      profile: 'modbus/eastron/sdm630',
      modbus: { port, unit_id: i + 1 },
      meter: { building: 'b1', measures: measures[i % measures.length] },
    })),
  };
}

/** Kept here too: tests import it from this file. */
export { waitFor } from './wait.ts';
