import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { findCommand, withDefaults } from '../cli/commands.ts';
import { cliOptions, main } from '../cli/main.ts';
import { spawnCli } from './helpers/cli.ts';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

// Listed by hand, not taken from cli/commands.ts: a subcommand without a help page must fail here.
const subcommands = [
  'start',
  'gateway',
  'collector',
  'control',
  'alarm-service',
  'api',
  'schedules',
  'sims',
  'import',
  'report',
  'user',
  'token',
  'audit',
  'secrets',
  'mqtt',
  'dashboards',
  'alarms',
  'config',
  'help',
];

describe('every subcommand has its own --help', () => {
  it.each(subcommands)(
    'jieneng %s: --help and jieneng help COMMAND print its usage, options and an example',
    async (cmd) => {
      const viaFlag = await run([cmd, '--help']);
      const viaHelp = await run(['help', cmd]);
      expect(viaFlag.code).toBe(0);
      expect(viaHelp).toEqual(viaFlag);
      const page = viaFlag.out;
      expect(page).toMatch(new RegExp(`^Usage: jieneng ${cmd}\\b`));
      expect(page).not.toContain('Commands:'); // not the global page
      expect(page).toMatch(/\nOptions:\n(.*\n)* {2}-h, --help +This page\n/);
      expect(page).toMatch(new RegExp(`\\nExample:\\n  jieneng ${cmd}\\b.*\\n$`));
      const spec = findCommand(cmd);
      for (const o of spec?.options ?? []) expect(page).toMatch(new RegExp(`\\n  (-o, )?--${o.name}\\b`));
      // Notes are paragraphs (one per line of the notes, each wrapped at 100): none breaks mid-sentence.
      for (const paragraph of spec?.notes?.split('\n') ?? []) expect(paragraph).toMatch(/[.)。:]$/);
      // The example is a command line the command accepts.
      const example = /Example:\n {2}jieneng (.*)\n/.exec(page)?.[1]?.split(' ') ?? [];
      const parsed = parseArgs({ args: example, options: cliOptions, allowPositionals: true });
      expect(parsed.positionals[0]).toBe(cmd);
      if (spec) expect(() => withDefaults(spec, parsed.values)).not.toThrow();
    },
  );

  it('wraps the notes of jieneng help start by paragraph, not mid-sentence', async () => {
    const page = (await run(['help', 'start'])).out;
    const notes = page.slice(page.indexOf('Without --config'), page.indexOf('\nOptions:'));
    expect(
      notes
        .trim()
        .split('\n\n')
        .map((p) => p.replace(/\n/g, ' ')),
    ).toEqual([
      'Without --config it runs the demo site against the simulated building. With a site file of your own it polls the devices the file names and starts no simulator, unless --sims (or --scenario) asks.',
      'SIGHUP re-reads the site file: gateways, collector, control and API restart on the new one; a file with problems is refused (each problem logged) and the running configuration stays.',
      'SIGINT / SIGTERM stop it cleanly (exit 0).',
    ]);
    for (const line of notes.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
  });

  it('prints the defaults', async () => {
    // Options are wrapped at 100 columns: compare with the line breaks taken out.
    const flat = async (args: string[]) => (await run(args)).out.replace(/\n +/g, ' ');
    const start = await flat(['start', '--help']);
    expect(start).toMatch(/--port N +HTTP API port .*\(default: 8080\)/);
    expect(start).toMatch(/--data-dir DIR .*\(default: \.\/data\)/);
    expect(start).toMatch(/--sims .*\(default: on for the demo site, off with --config\)/);
    expect(await flat(['collector', '-h'])).toMatch(/--share GROUP\|none .*\(default: jieneng\)/);
    expect(await flat(['report', '--help'])).toMatch(/--from DATE +First local day, YYYY-MM-DD \(required\)/);
  });

  it('refuses an unknown command and an option the command does not take, pointing at its --help', async () => {
    const unknown = await run(['help', 'repot']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe(
      'unknown command "repot"; commands are: start, gateway, collector, control, alarm-service, api, schedules, sims, import, report, user, token, audit, secrets, mqtt, dashboards, alarms, config, help\n',
    );
    const misplaced = await run([
      'report',
      '--from',
      '2025-01-01',
      '--to',
      '2025-02-01',
      '--scenario',
      'x.yaml',
    ]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.err).toMatch(
      /^jieneng report does not take --scenario; its options are: --from, --to, .* \(jieneng report --help\)\n$/,
    );
  });

  it('the installed command prints it too (bin/jieneng.js help report)', async () => {
    const cli = spawnCli(['help', 'report']);
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/^Usage: jieneng report --from DATE --to DATE/);
  });
});
