import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlService } from '../control/service.ts';
import { systemClock } from '../core/clock.ts';
import { loadSite, summarizeSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { localParts } from '../core/localTime.ts';
import { buildReport } from '../core/reports/build.ts';
import { ImportError, Ledger } from '../core/reports/ledger.ts';
import { renderReport } from '../core/reports/render.ts';
import { localMidnight } from '../core/rollup/consumption.ts';
import { createStore } from '../core/store/openStore.ts';
import { type CommandContext, demoSite, text } from './context.ts';

/** A subcommand that runs and exits. */
export type ToolCommand = (ctx: CommandContext) => Promise<number>;

const dataDirOf = (ctx: CommandContext) => text(ctx, 'data-dir') ?? './data';

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

const importCsv: ToolCommand = async (ctx) => {
  const site = loadSite(text(ctx, 'config') ?? demoSite);
  const [kind, file] = ctx.operands;
  if ((kind !== 'facts' && kind !== 'entries') || !file)
    throw new JnError(
      'usage',
      'usage: jieneng import facts|entries FILE.csv [--config FILE] [--data-dir DIR]',
    );
  const ledger = new Ledger(join(dataDirOf(ctx), 'ledger.db'));
  try {
    const r = ledger.importFile(kind, file, site.config);
    ctx.io.out(`${file}: ${r.imported} ${kind} imported (${r.replaced} replaced an earlier import)\n`);
    return 0;
  } catch (err) {
    if (err instanceof ImportError) {
      ctx.io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    ledger.close();
  }
};

const report: ToolCommand = async (ctx) => {
  const site = loadSite(text(ctx, 'config') ?? demoSite);
  const date = (name: string) => {
    const v = text(ctx, name);
    if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v))
      throw new JnError('usage', `jieneng report: --${name} YYYY-MM-DD is required (a local date)`);
    return v;
  };
  const from = date('from');
  const to = date('to');
  const basis = text(ctx, 'basis');
  if (basis !== 'equivalent' && basis !== 'generation')
    throw new JnError('usage', `--basis ${basis}: equivalent (当量值) or generation (等价值)`);
  const format = text(ctx, 'format');
  if (format !== 'json' && format !== 'csv' && format !== 'xlsx' && format !== 'pdf')
    throw new JnError('usage', `--format ${format}: json, csv, xlsx or pdf`);
  const output = text(ctx, 'output');
  if ((format === 'xlsx' || format === 'pdf') && !output)
    throw new JnError('usage', `--format ${format} writes a binary file: give it a name with -o FILE`);
  const baselineText = text(ctx, 'baseline');
  const baselineYear = baselineText === undefined ? undefined : Number(baselineText);
  if (baselineYear !== undefined && !(Number.isInteger(baselineYear) && baselineYear > 1990))
    throw new JnError('usage', `--baseline ${baselineText}: a year, e.g. 2020`);
  const dataDir = dataDirOf(ctx);
  const store = createStore({
    influxUrl: text(ctx, 'influx-url') ?? site.config.platform.influx_url,
    dataDir,
  });
  await store.open();
  const ledger = new Ledger(join(dataDir, 'ledger.db'));
  try {
    const built = await buildReport({ site, store, ledger, from, to, baselineYear, basis });
    const body = await renderReport(built, format);
    if (output) {
      writeFileSync(output, body);
      ctx.io.out(`${output}: ${format}, ${body.length} bytes\n`);
    } else ctx.io.out(body.toString('utf8'));
    return 0;
  } finally {
    ledger.close();
    await store.close();
  }
};

export const toolCommands: Record<string, ToolCommand> = { config, schedules, import: importCsv, report };
