import { parseArgs } from 'node:util';
import { ConfigError, formatProblems } from '../core/config/problems.ts';
import { errorText, JnError } from '../core/errors.ts';
import { createLogger } from '../core/log.ts';
import { redactCredentials } from '../core/redact.ts';
import { commands, findCommand, withDefaults } from './commands.ts';
import type { CommandContext, Io } from './context.ts';
import { serviceCommands } from './services.ts';
import { HangupHandler } from './signals.ts';
import { toolCommands } from './tools.ts';
import { commandUsage, globalUsage } from './usage.ts';

export { demoSite, type Io } from './context.ts';

// parseArgs needs every option of every command up front; which command takes which is checked
// against cli/commands.ts afterwards (withDefaults).
const parserOptions = Object.fromEntries(
  [...new Set(commands.flatMap((c) => c.options.map((o) => o.name)))].map((name) => {
    const spec = commands.flatMap((c) => c.options).find((o) => o.name === name);
    return [
      name,
      {
        type: spec?.arg ? ('string' as const) : ('boolean' as const),
        ...(name === 'output' ? { short: 'o' } : {}),
      },
    ];
  }),
);
/** The parser's option table (every option of every command, and -h / --help). */
export const cliOptions = { ...parserOptions, help: { type: 'boolean' as const, short: 'h' } };

const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** `jieneng help [COMMAND]`, `jieneng COMMAND --help`: that command's page, or the overview. */
function help(name: string | undefined, io: Io): number {
  if (name === undefined) {
    io.out(globalUsage());
    return 0;
  }
  const spec = findCommand(name);
  if (!spec) {
    io.err(`unknown command "${name}"; commands are: ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  io.out(commandUsage(spec));
  return 0;
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: cliOptions, allowPositionals: true });
  } catch (err) {
    const command = argv.find((a) => !a.startsWith('-'));
    const spec = command === undefined ? undefined : findCommand(command);
    io.err(`${errorText(err)}\n\n${spec ? commandUsage(spec) : globalUsage()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...operands] = positionals;
  if (command === 'help') return help(operands[0] ?? (values.help ? 'help' : undefined), io);
  if (!command) {
    io.out(globalUsage());
    return values.help ? 0 : 2;
  }
  const spec = findCommand(command);
  if (!spec) {
    io.err(`unknown command "${command}"\n\n${globalUsage()}`);
    return 2;
  }
  if (values.help) return help(command, io);
  const log = createLogger();
  const service = serviceCommands[command];
  // Installed before anything starts: Node's default for SIGHUP is to die on the spot.
  const hangup = service ? new HangupHandler(command, log, service.reloads) : undefined;
  try {
    const ctx: CommandContext = { values: withDefaults(spec, values), operands, io, log };
    if (service && hangup) return await service.run(ctx, hangup);
    const tool = toolCommands[command];
    if (!tool) throw new Error(`command "${command}" has no implementation`);
    return await tool(ctx);
  } catch (err) {
    return reportError(command, err, io);
  } finally {
    hangup?.release();
  }
}

function reportError(command: string, err: unknown, io: Io): number {
  if (err instanceof ConfigError) {
    const later =
      err.stage === 'structure'
        ? ' References between entries (devices, points, buildings) are checked once these are fixed.'
        : '';
    io.err(
      `${formatProblems(err.problems)}\n${err.problems.length} problem(s) found; nothing was started.${later}\n`,
    );
    return 1;
  }
  if (err instanceof JnError && err.code === 'usage') {
    io.err(`${redactCredentials(err.message)}\n`);
    return 2;
  }
  io.err(`jieneng ${command}: ${redactCredentials(errorText(err))}\n`);
  return 1;
}
