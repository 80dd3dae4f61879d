import { fileURLToPath } from 'node:url';
import { ConfigError, YamlSource } from '../../core/config/problems.ts';
import { type Scenario, scenarioSchema } from './schema.ts';

/** The scenario `jieneng start` and `jieneng sims` use when none is given. */
export const defaultScenarioFile = fileURLToPath(
  new URL('../scenarios/fuzhou-compound.yaml', import.meta.url),
);

/** Reads and validates a scenario file; throws ConfigError listing every problem with its line. */
export function loadScenario(file: string): Scenario {
  const src = YamlSource.read(file);
  if (src.problems.length > 0) throw new ConfigError(src.problems);
  const parsed = scenarioSchema.safeParse(src.toJS(), { reportInput: true });
  if (!parsed.success) throw new ConfigError(src.fromZod(parsed.error, scenarioSchema));
  return parsed.data;
}
