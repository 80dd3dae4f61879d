import { fileURLToPath } from 'node:url';
import { ConfigError, YamlSource } from '../../core/config/problems.ts';
import { loadProfile } from '../../core/profiles/loadProfile.ts';
import type { DeviceProfile } from '../../core/profiles/profileSchema.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

/** The scenario `jieneng start` and `jieneng sims` use when none is given. */
export const defaultScenarioFile = fileURLToPath(
  new URL('../scenarios/fuzhou-compound.yaml', import.meta.url),
);

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** Profiles of the scenario's devices, by reference. */
  profiles: Map<string, DeviceProfile>;
}

/** Reads, validates and cross-checks a scenario file; throws ConfigError listing every problem with its line. */
export function loadScenario(file: string): LoadedScenario {
  const src = YamlSource.read(file);
  if (src.problems.length > 0) throw new ConfigError(src.problems);
  const parsed = scenarioSchema.safeParse(src.toJS(), { reportInput: true });
  if (!parsed.success) throw new ConfigError(src.fromZod(parsed.error, scenarioSchema));
  const scenario = parsed.data;
  const profiles = new Map<string, DeviceProfile>();
  const ids = new Set<string>();
  const endpoints = new Set<string>();
  scenario.devices.forEach((dev, i) => {
    const at = (...path: PropertyKey[]) => ['devices', i, ...path];
    if (ids.has(dev.id)) src.problems.push(src.problemAt(at('id'), `duplicate device id "${dev.id}"`));
    ids.add(dev.id);
    const endpoint = `${dev.modbus.port}/${dev.modbus.unit_id}`;
    if (endpoints.has(endpoint))
      src.problems.push(
        src.problemAt(
          at('modbus'),
          `another device already answers on port ${dev.modbus.port} unit ${dev.modbus.unit_id}`,
        ),
      );
    endpoints.add(endpoint);
    const result = loadProfile(dev.profile);
    if (!result.ok) {
      src.problems.push(
        src.problemAt(
          at('profile'),
          'missing' in result ? result.missing : `profile "${dev.profile}" is invalid`,
        ),
      );
      return;
    }
    if (result.profile.protocol !== 'modbus') {
      src.problems.push(
        src.problemAt(
          at('profile'),
          `profile "${dev.profile}" is not a Modbus profile; scenario devices speak Modbus`,
        ),
      );
      return;
    }
    profiles.set(dev.profile, result.profile);
    const points = new Set(result.profile.points.map((p) => p.id));
    const bound = dev.meter ?? dev.lighting;
    const building = scenario.buildings.find((b) => b.id === bound?.building);
    if (!building) {
      src.problems.push(
        src.problemAt(
          at(dev.meter ? 'meter' : 'lighting', 'building'),
          `no building "${bound?.building}" in the scenario`,
        ),
      );
      return;
    }
    if (dev.meter) {
      const volume = dev.meter.measures === 'water' || dev.meter.measures === 'gas';
      const fits = volume
        ? result.profile.points.some((p) => p.role === 'volume_counter')
        : points.has('import_energy');
      if (!fits)
        src.problems.push(
          src.problemAt(
            at('profile'),
            `profile "${dev.profile}" has no ${volume ? 'volume counter' : '"import_energy" point'}, so it cannot measure ${dev.meter.measures}`,
          ),
        );
    }
    dev.lighting?.channels.forEach((zone, c) => {
      if (!building.zones.some((z) => z.id === zone))
        src.problems.push(
          src.problemAt(at('lighting', 'channels', c), `building "${building.id}" has no zone "${zone}"`),
        );
      if (!points.has(`relay_${c + 1}`) && !points.has(`dim_level_${c + 1}`))
        src.problems.push(
          src.problemAt(
            at('lighting', 'channels', c),
            `profile "${dev.profile}" has neither relay_${c + 1} nor dim_level_${c + 1} for channel ${c + 1}`,
          ),
        );
    });
  });
  if (scenario.opcua) {
    const result = loadProfile(scenario.opcua.profile);
    if (!result.ok)
      src.problems.push(
        src.problemAt(
          ['opcua', 'profile'],
          'missing' in result ? result.missing : `profile "${scenario.opcua.profile}" is invalid`,
        ),
      );
    else if (result.profile.protocol !== 'opcua')
      src.problems.push(
        src.problemAt(['opcua', 'profile'], `profile "${scenario.opcua.profile}" is not an OPC UA node map`),
      );
    else profiles.set(scenario.opcua.profile, result.profile);
  }
  if (src.problems.length > 0) throw new ConfigError(src.problems, 'references');
  return { file, scenario, profiles };
}
