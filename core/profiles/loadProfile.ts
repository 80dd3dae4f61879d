import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfigProblem, YamlSource } from '../config/problems.ts';
import { type DeviceProfile, modbusProfileSchema, opcuaProfileSchema } from './profileSchema.ts';

/** The bundled profile library: `core/profiles/<protocol>/<vendor>/<model>.yaml`. */
export const bundledProfilesDir = dirname(fileURLToPath(import.meta.url));

const refPattern = /^[a-z0-9_]+\/[a-z0-9_-]+\/[a-z0-9_.-]+$/;

export type ProfileResult = { ok: true; profile: DeviceProfile } | { ok: false; problems: ConfigProblem[] };

/**
 * Loads profile `ref` (`modbus/eastron/sdm630`) from `dir`. Problems are returned, not thrown, so that
 * a site check can report every bad reference at once; `fromFile`/`fromPath` say which site entry asked.
 */
export function loadProfile(
  ref: string,
  dir = bundledProfilesDir,
): ProfileResult | { ok: false; missing: string } {
  if (!refPattern.test(ref))
    return {
      ok: false,
      missing: `"${ref}" is not a profile reference of the form <protocol>/<vendor>/<model>`,
    };
  const file = join(dir, `${ref}.yaml`);
  if (!existsSync(file)) {
    const available = listProfiles(dir).join(', ') || '(none)';
    return {
      ok: false,
      missing: `profile "${ref}" not found in the profile library; available: ${available}`,
    };
  }
  const src = YamlSource.read(file);
  if (src.problems.length > 0) return { ok: false, problems: src.problems };
  // The protocol folder of the reference decides the format: modbus/… or opcua/….
  const schema = ref.startsWith('opcua/') ? opcuaProfileSchema : modbusProfileSchema;
  const parsed = schema.safeParse(src.toJS(), { reportInput: true });
  if (!parsed.success) return { ok: false, problems: src.fromZod(parsed.error, schema) };
  return { ok: true, profile: parsed.data };
}

/** Every profile reference in `dir` (`<protocol>/<vendor>/<model>`), sorted. */
export function listProfiles(dir = bundledProfilesDir): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length).split(sep).join('/'))
    .filter((ref) => refPattern.test(ref))
    .sort();
}
