import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { acceleratedClock, type Clock, systemClock } from '../core/clock.ts';
import { type LoadedSite, loadSite } from '../core/config/loadSite.ts';
import { ConfigError, formatProblems } from '../core/config/problems.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { LoadedScenario } from '../device-sims/scenario/load.ts';

/** The bundled demo site `jieneng start` runs when no --config is given. */
export const demoSite = fileURLToPath(new URL('../examples/demo-site.yaml', import.meta.url));

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** What a subcommand gets: its options (defaults filled in), operands after the command, output, logger. */
export interface CommandContext {
  values: Record<string, string | boolean | undefined>;
  /** Positionals after the command name, e.g. ['check', 'site.yaml']. */
  operands: string[];
  io: Io;
  log: Logger;
}

/** A string option (undefined when absent). */
export function text(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function portOption(name: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new JnError('usage', `--${name} "${value}": expected a port number 0–65535`);
  return n;
}

export function requireConfig(file: string | undefined, command: string, log: Logger): LoadedSite {
  if (!file) throw new JnError('usage', `jieneng ${command}: --config FILE is required`);
  if (!existsSync(file)) throw new JnError('usage', `jieneng ${command}: --config ${file}: no such file`);
  return loadSiteLogged(file, log);
}

/** loadSite, with what it warns about (a site profile shadowing a bundled one) in the log. */
export function loadSiteLogged(file: string, log: Logger): LoadedSite {
  const site = loadSite(file);
  for (const warning of site.warnings ?? []) log.warn(warning, { file });
  return site;
}

/**
 * The clock sims and platform share: the scenario's `clock` (start, speed), `--speed` overriding
 * its speed; real time when neither asks for anything else.
 */
export function clockFor(scenario: LoadedScenario | undefined, speedOption: string | undefined): Clock {
  const speed = speedOption === undefined ? (scenario?.scenario.clock.speed ?? 1) : Number(speedOption);
  if (!Number.isFinite(speed) || speed <= 0)
    throw new JnError(
      'usage',
      `--speed "${speedOption}": expected a positive number of simulated seconds per real second`,
    );
  const start = scenario?.scenario.clock.start;
  if (speed === 1 && start === undefined) return systemClock;
  return acceleratedClock({ start: start === undefined ? Date.now() : Date.parse(start), speed });
}

/**
 * SIGHUP: re-reads the site file and hands it to `apply`. A file with problems is reported and
 * ignored — what runs keeps the configuration it had.
 */
export async function reloadSite(
  file: string,
  log: Logger,
  apply: (site: LoadedSite) => Promise<void>,
): Promise<void> {
  log.info('SIGHUP received: reloading the configuration', { file });
  let site: LoadedSite;
  try {
    site = loadSiteLogged(file, log);
  } catch (err) {
    const detail = err instanceof ConfigError ? formatProblems(err.problems) : errorText(err);
    log.error('configuration not reloaded: the file has problems; still running the previous one', {
      file,
      problems: detail,
    });
    return;
  }
  try {
    await apply(site);
    log.info('configuration reloaded', { file });
  } catch (err) {
    log.error('configuration reload failed', { error: errorText(err) });
  }
}

/** A command that is not a long-running service: it returns its exit code. */
export type ToolCommand = (ctx: CommandContext) => Promise<number>;

/** Where spools, stores and ledgers live (`--data-dir`, default ./data). */
export const dataDirOf = (ctx: CommandContext) => text(ctx, 'data-dir') ?? './data';
