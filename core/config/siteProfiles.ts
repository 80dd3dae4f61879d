import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { resolveProfile as findProfile, type ProfileLibrary } from '../profiles/loadProfile.ts';
import type { DeviceProfile } from '../profiles/profileSchema.ts';
import type { ConfigProblem, YamlSource } from './problems.ts';
import type { SiteConfig } from './siteSchema.ts';

// How a site file finds its devices' profiles: its own folder, files beside it, the bundled library.

/** The site's own profile folder (`profiles:`, relative to the site file), if it names one that exists. */
export function siteProfilesDir(src: YamlSource, config: SiteConfig): string | undefined {
  if (config.profiles === undefined) return undefined;
  const dir = isAbsolute(config.profiles) ? config.profiles : join(dirname(src.file), config.profiles);
  if (existsSync(dir) && statSync(dir).isDirectory()) return dir;
  src.problems.push(
    src.problemAt(['profiles'], `profile folder ${dir} does not exist (a path relative to the site file)`),
  );
  return undefined;
}

/** The profile a device names, loaded once per reference; problems and warnings go to the site's lists. */
export function resolveSiteProfile(
  src: YamlSource,
  ref: string,
  path: PropertyKey[],
  ctx: { cache: Map<string, DeviceProfile>; lib: ProfileLibrary; warnings: string[] },
): DeviceProfile | undefined {
  const cached = ctx.cache.get(ref);
  if (cached) return cached;
  const result = findProfile(ref, ctx.lib);
  if (result.ok) {
    ctx.cache.set(ref, result.profile);
    // Reported, never silent: the site's profile is used, the bundled one of that name is not.
    if (result.shadows)
      ctx.warnings.push(
        `profile "${ref}" is taken from the site's profile folder, not the bundled profile of that name`,
      );
    return result.profile;
  }
  if ('missing' in result) src.problems.push(src.problemAt(path, result.missing));
  else {
    src.problems.push(
      src.problemAt(path, `profile "${ref}" is invalid (${result.problems.length} problem(s) below)`),
    );
    src.problems.push(...(result.problems as ConfigProblem[]));
  }
  return undefined;
}
