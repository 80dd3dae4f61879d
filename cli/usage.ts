import { type CommandSpec, commands, type OptionSpec } from './commands.ts';

// The help pages, rendered from the command table in cli/commands.ts.

function flag(o: OptionSpec): string {
  const short = o.name === 'output' ? '-o, ' : '';
  return `${short}--${o.name}${o.arg ? ` ${o.arg}` : ''}`;
}

const required = (o: OptionSpec) => o.defaultText === 'required';

/** `tokens` joined by spaces into lines of at most `width` characters, each after the first starting with `indent`. */
function wrap(tokens: string[], width: number, indent: string, first = ''): string {
  const lines: string[] = [];
  let line = first;
  for (const token of tokens) {
    if (line.trim() && line.length + 1 + token.length > width) {
      lines.push(line);
      line = indent + token;
    } else line = line.trim() ? `${line} ${token}` : line + token;
  }
  return [...lines, line].join('\n');
}
const words = (t: string) => t.split(' ');

function synopsis(c: CommandSpec, indent: string): string {
  const opts = c.options.map((o) => {
    const shown = o.name === 'output' ? `-o ${o.arg}` : flag(o);
    return required(o) ? shown : `[${shown}]`;
  });
  return wrap([`jieneng ${c.name}${c.operands ? ` ${c.operands}` : ''}`, ...opts], 100, indent);
}

/** `jieneng COMMAND --help`: usage, what it does, every option with its default, an example. */
export function commandUsage(c: CommandSpec): string {
  const width = Math.max('-h, --help'.length, ...c.options.map((o) => flag(o).length));
  const lines = [`Usage: ${synopsis(c, ' '.repeat(14))}`, '', wrap(words(c.summary), 100, '')];
  // Notes: one paragraph per line, each wrapped like the summary.
  if (c.notes) for (const paragraph of c.notes.split('\n')) lines.push('', wrap(words(paragraph), 100, ''));
  lines.push('', 'Options:');
  for (const o of c.options) {
    const dflt = required(o)
      ? '(required)'
      : o.default !== undefined
        ? `(default: ${o.default})`
        : o.defaultText
          ? `(default: ${o.defaultText})`
          : '';
    lines.push(
      wrap(words(`${o.text} ${dflt}`.trim()), 100, ' '.repeat(width + 4), `  ${flag(o).padEnd(width)} `),
    );
  }
  lines.push(`  ${'-h, --help'.padEnd(width)}  This page`, '', 'Example:', `  ${c.example}`, '');
  return lines.join('\n');
}

/** `jieneng --help`: every command's usage line and what it does. */
export function globalUsage(): string {
  const rows = commands.map(
    (c) => `  ${synopsis(c, ' '.repeat(10))}\n${wrap(words(c.summary), 100, '      ', '      ')}`,
  );
  return (
    'jieneng — 节能 energy management and building control\n\n' +
    `Usage:\n${rows.join('\n')}\n\n` +
    'jieneng COMMAND --help (or jieneng help COMMAND) prints the options of COMMAND with their defaults.\n' +
    'Environment: MQTT_PASSWORD (with the user in the URL or in MQTT_USERNAME) and INFLUX_TOKEN keep\n' +
    'credentials out of site files and process lists; JN_LOG_LEVEL=debug|info|warn|error.\n'
  );
}
