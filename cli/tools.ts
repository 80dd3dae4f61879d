import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlService } from '../control/service.ts';
import { systemClock } from '../core/clock.ts';
import { loadSite, summarizeSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { localParts } from '../core/localTime.ts';
import { localMidnight } from '../core/rollup/consumption.ts';
import { alarmsCommand } from './alarmsCommand.ts';
import { auditCommand } from './auditCommand.ts';
import { dataDirOf, demoSite, type ToolCommand, text } from './context.ts';
import { dashboardsCommand } from './dashboardsCommand.ts';
import { importCommand } from './importCommand.ts';
import { mqttCommand } from './mqttCommand.ts';
import { reportCommand } from './reportCommand.ts';
import { schedulesCommand } from './schedulesCommand.ts';
import { secretsCommand } from './secretsCommand.ts';
import { tokenCommand } from './tokenCommand.ts';
import { userCommand } from './userCommand.ts';

/** A subcommand that runs and exits. */

const config: ToolCommand = async (ctx) => {
  const [sub, file] = ctx.operands;
  if (sub !== 'check' || !file) throw new JnError('usage', 'usage: jieneng config check FILE');
  ctx.io.out(`${summarizeSite(loadSite(file))}\n`);
  return 0;
};

const schedules: ToolCommand = async (ctx) => {
  if (ctx.operands[0] !== 'preview')
    throw new JnError('usage', 'usage: jieneng schedules preview [--config FILE] [--from DATE] [--days N]');
  const site = loadSite(text(ctx, 'config') ?? demoSite);
  const tz = site.config.site.timezone;
  const fromText = text(ctx, 'from') ?? localParts(Date.now(), tz).date;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(fromText))
    throw new JnError('usage', `--from ${fromText}: a local date YYYY-MM-DD`);
  const daysText = text(ctx, 'days');
  const days = Number(daysText);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new JnError('usage', `--days ${daysText}: a whole number of days, 1–366`);
  const stored = join(dataDirOf(ctx), 'control.db');
  const dbFile = existsSync(stored) ? stored : join(mkdtempSync(join(tmpdir(), 'jn-preview-')), 'control.db');
  const service = new ControlService({
    site,
    dbFile,
    dispatcher: { write: async () => ({ status: 'rejected', reason: 'a preview writes nothing' }) },
    latest: () => undefined,
    clock: systemClock,
    log: ctx.log,
  });
  try {
    const from = localMidnight(fromText, tz);
    const actions = service.preview(from, from + days * 86_400_000);
    for (const a of actions)
      ctx.io.out(
        `${a.at.slice(0, 16).replace('T', ' ')}  ${a.device}/${a.point} ← ${a.value ?? 'relinquish'} (p${a.priority})  ${a.schedule}  ${a.because}\n`,
      );
    ctx.io.out(`${actions.length} action(s) from ${fromText} over ${days} day(s)\n`);
    return 0;
  } finally {
    service.close();
  }
};

export const toolCommands: Record<string, ToolCommand> = {
  config,
  schedules: schedulesCommand(schedules),
  import: importCommand,
  report: reportCommand,
  user: userCommand,
  token: tokenCommand,
  audit: auditCommand,
  secrets: secretsCommand,
  mqtt: mqttCommand,
  dashboards: dashboardsCommand,
  alarms: alarmsCommand,
};
