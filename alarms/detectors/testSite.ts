import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Condition } from '../../core/alarms/model.ts';
import { conditionSchema } from '../../core/alarms/model.ts';
import { ManualClock } from '../../core/clock.ts';
import type { LoadedSite } from '../../core/config/loadedSite.ts';
import { loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import type { Reading } from '../../core/telemetry.ts';
import { TelemetryDetectors } from './telemetry.ts';

/** A device of a test site: id, profile, Modbus unit id (OPC UA devices are given with `object`). */
export interface TestDevice {
  id: string;
  profile: string;
  unit_id: number;
}

/**
 * A site of one building 综合楼 whose gateway `gw` polls `devices` over Modbus TCP on `port`
 * (and, with `opcua`, an OPC UA connection), with the `meters` and the `alarms` section given:
 * written to a temp dir and loaded as the services load it.
 */
export function detectorSite(options: {
  port?: number;
  gateway?: string;
  devices: TestDevice[];
  opcua?: { id: string; object: string }[];
  meters?: object[];
  alarms?: object;
  pollInterval?: string;
}): LoadedSite {
  const dir = mkdtempSync(join(tmpdir(), 'jn-detectors-'));
  const connections: object[] = [
    {
      id: 'tcp',
      protocol: 'modbus_tcp',
      host: '127.0.0.1',
      port: options.port ?? 15020,
      timeout: '500ms',
      devices: options.devices.map((d) => ({ ...d, poll_interval: options.pollInterval ?? '1s' })),
    },
  ];
  if (options.opcua)
    connections.push({
      id: 'ua',
      protocol: 'opcua',
      endpoint: 'opc.tcp://127.0.0.1:48400/jieneng',
      devices: options.opcua.map((d) => ({ ...d, profile: 'opcua/jieneng/hvac-zone' })),
    });
  const doc = {
    version: 1,
    site: { id: 'detector-site', name: '告警检测测试' },
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
    gateways: [{ id: options.gateway ?? 'gw', connections }],
    meters: options.meters ?? [],
    ...(options.alarms ? { alarms: options.alarms } : {}),
  };
  writeFileSync(join(dir, 'site.yaml'), stringify(doc));
  return loadSite(join(dir, 'site.yaml'));
}

/** Detectors on `site` with a manual clock, collecting every condition (each checked against the wire schema). */
export function detectorsOn(site: LoadedSite, start: number) {
  const clock = new ManualClock(start);
  const conditions: Condition[] = [];
  const detectors = new TelemetryDetectors({
    site,
    clock,
    log: createLogger({ level: 'error' }),
    report: (c) => conditions.push(conditionSchema.parse(c)),
  });
  return { clock, conditions, detectors };
}

/** A reading at `ms`. */
export function reading(
  device: string,
  point: string,
  ms: number,
  value: number | null,
  extra: Partial<Reading> = {},
): Reading {
  return {
    device,
    point,
    value,
    ts: new Date(ms).toISOString(),
    quality: value === null ? 'bad' : 'good',
    ...extra,
  } as Reading;
}
