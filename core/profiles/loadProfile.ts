import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfigProblem, YamlSource } from '../config/problems.ts';
import { type DeviceProfile, profileSchemas } from '../protocols/index.ts';

/** The bundled profile library: `core/profiles/<protocol>/<vendor>/<model>.yaml`. */
export const bundledProfilesDir = dirname(fileURLToPath(import.meta.url));

/** Protocols a profile file may name (`protocol: modbus`): the registry's, core/protocols/index.ts. */
export const profileProtocols = Object.keys(profileSchemas);

const refPattern = /^[a-z0-9_]+\/[a-z0-9_-]+\/[a-z0-9_.-]+$/;

export type ProfileResult = { ok: true; profile: DeviceProfile } | { ok: false; problems: ConfigProblem[] };
export type ProfileLookup = ProfileResult | { ok: false; missing: string };

/** Whether a site's `profile:` value names a file (`./profiles/acme/em1.yaml`) rather than a reference. */
export function isProfilePath(ref: string): boolean {
  return /\.ya?ml$/.test(ref) || ref.startsWith('./') || ref.startsWith('../') || isAbsolute(ref);
}

/**
 * Reads and validates one profile file by the protocol it names. A file without `protocol`, or
 * with one no driver has, is an error naming the file and the protocols there are — never read as
 * Modbus by default. `folderProtocol` is the protocol folder of a reference (`opcua/…`), which
 * must agree with the file.
 */
export function loadProfileFile(file: string, folderProtocol?: string): ProfileLookup {
  if (!existsSync(file)) return { ok: false, missing: `profile file ${file} does not exist` };
  const src = YamlSource.read(file);
  if (src.problems.length > 0) return { ok: false, problems: src.problems };
  const data = src.toJS() as { protocol?: unknown } | null;
  const protocol = data && typeof data === 'object' ? data.protocol : undefined;
  const allowed = profileProtocols.join(', ');
  if (protocol === undefined)
    return problem(src, `profile ${file} does not say its protocol; add protocol: with one of ${allowed}`);
  const schema = typeof protocol === 'string' ? profileSchemas[protocol] : undefined;
  if (!schema)
    return problem(
      src,
      `profile ${file}: protocol "${String(protocol)}" has no driver; protocols are: ${allowed}`,
    );
  if (folderProtocol !== undefined && folderProtocol !== protocol)
    return problem(
      src,
      `profile ${file} says protocol ${protocol} but lies in the ${folderProtocol}/ folder; move it to ${protocol}/… or fix its protocol`,
    );
  const parsed = schema.safeParse(data, { reportInput: true });
  if (!parsed.success) return { ok: false, problems: src.fromZod(parsed.error, schema) };
  return { ok: true, profile: parsed.data };
}

function problem(src: YamlSource, message: string): ProfileResult {
  return { ok: false, problems: [src.problemAt(['protocol'], message)] };
}

/**
 * Loads profile `ref` (`modbus/eastron/sdm630`) from `dir`. Problems are returned, not thrown, so that
 * a site check can report every bad reference at once.
 */
export function loadProfile(ref: string, dir = bundledProfilesDir): ProfileLookup {
  if (!refPattern.test(ref))
    return {
      ok: false,
      missing: `"${ref}" is not a profile reference of the form <protocol>/<vendor>/<model> (nor a file path ending in .yaml)`,
    };
  const file = join(dir, `${ref}.yaml`);
  if (!existsSync(file)) {
    const available = listProfiles(dir).join(', ') || '(none)';
    return {
      ok: false,
      missing: `profile "${ref}" not found in the profile library; available: ${available}`,
    };
  }
  return loadProfileFile(file, ref.split('/')[0]);
}

/** Where a site finds its profiles: its own folder (optional) and the bundled library. */
export interface ProfileLibrary {
  /** The file the references come from; relative paths are relative to its folder. */
  siteFile: string;
  /** The site's own profile folder, already resolved (site file `profiles:`). */
  siteDir?: string | undefined;
  bundledDir?: string;
}

/**
 * A device's `profile:` value as a site file gives it: a file path relative to the site file, or a
 * reference found in the site's profile folder first and then in the bundled library. A site
 * profile with the name of a bundled one is used — so a local fix to a bundled profile survives an
 * upgrade, and a release adding a profile of the same name does not change a running site — and
 * `shadows` says so, for the caller to report.
 */
export function resolveProfile(ref: string, lib: ProfileLibrary): ProfileLookup & { shadows?: string } {
  const bundledDir = lib.bundledDir ?? bundledProfilesDir;
  // Joined, not resolved: messages then show the path as the user's command line gave the site file.
  if (isProfilePath(ref)) return loadProfileFile(isAbsolute(ref) ? ref : join(dirname(lib.siteFile), ref));
  const siteDir = lib.siteDir;
  if (siteDir && refPattern.test(ref) && existsSync(join(siteDir, `${ref}.yaml`))) {
    const result = loadProfile(ref, siteDir);
    const bundled = join(bundledDir, `${ref}.yaml`);
    return existsSync(bundled) ? { ...result, shadows: bundled } : result;
  }
  const result = loadProfile(ref, bundledDir);
  if (!siteDir || result.ok || !('missing' in result) || !refPattern.test(ref)) return result;
  const available = [...new Set([...listProfiles(siteDir), ...listProfiles(bundledDir)])].sort();
  return {
    ok: false,
    missing: `profile "${ref}" not found in ${siteDir} nor in the bundled library; available: ${available.join(', ')}`,
  };
}

/** Every profile reference in `dir` (`<protocol>/<vendor>/<model>`), sorted. */
export function listProfiles(dir = bundledProfilesDir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length).split(sep).join('/'))
    .filter((ref) => refPattern.test(ref))
    .sort();
}
