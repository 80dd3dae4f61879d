import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dateProblem, quote } from '../core/dates.ts';
import { JnError } from '../core/errors.ts';
import type { IntensityQuery, ReportFormat } from '../core/reports/port.ts';
import { createStore } from '../core/store/openStore.ts';
import { simulatedWarning } from '../device-sims/history/history.ts';
import { storeName } from '../reports/render/labels.ts';
import { createReports } from '../reports/service.ts';
import { assessmentCommand } from './assessmentCommand.ts';
import { dataDirOf, requireConfig, type ToolCommand, text } from './context.ts';
import { checkOutput, notWritten } from './outputFile.ts';
import { statisticsCommand } from './statisticsCommand.ts';

// -o FILE's checks live in outputFile.ts (the report kinds' commands share them without a cycle).
export { checkOutput, notWritten };

const formats: ReportFormat[] = ['json', 'csv', 'xlsx', 'pdf'];

/** A --from / --to value: a local date that exists, both ends included. */
function dateOption(value: string | undefined, name: 'from' | 'to'): string {
  const what = name === 'from' ? 'the first day' : 'the last day (included)';
  if (value === undefined)
    throw new JnError('usage', `jieneng report: --${name} YYYY-MM-DD is required: ${what}, a local date`);
  const problem = dateProblem(value);
  if (problem) throw new JnError('usage', `jieneng report: --${name} ${problem}; give ${what} as YYYY-MM-DD`);
  return value;
}

/** The report's query from the command line; every refusal names the option and what is allowed. */
function queryOf(ctx: Parameters<ToolCommand>[0]): IntensityQuery {
  const from = dateOption(text(ctx, 'from'), 'from');
  const to = dateOption(text(ctx, 'to'), 'to');
  if (to < from)
    throw new JnError('usage', `jieneng report: --to ${to} is before --from ${from}; both days are included`);
  const basis = text(ctx, 'basis');
  if (basis !== 'equivalent' && basis !== 'generation')
    throw new JnError(
      'usage',
      `jieneng report: --basis ${basis}: equivalent (当量值) or generation (等价值)`,
    );
  const coal = text(ctx, 'coal-rate');
  if (coal !== 'one' && coal !== 'each')
    throw new JnError(
      'usage',
      `jieneng report: --coal-rate ${coal}: one (both years on the report year's rate) or each (each year's own)`,
    );
  const baselineText = text(ctx, 'baseline');
  const baselineYear = baselineText === undefined ? undefined : Number(baselineText);
  // The API's bound and words (api/routes/reports.ts: baseline 2000–2100).
  if (
    baselineYear !== undefined &&
    !(/^\d{4}$/.test(baselineText ?? '') && baselineYear <= 2100 && baselineYear >= 2000)
  )
    throw new JnError(
      'usage',
      `jieneng report: --baseline ${quote(baselineText ?? '')} is not allowed; allowed: a baseline year from 2000 to 2100 (default: the plan's)`,
    );
  return { from, to, baselineYear, basis, coalRate: coal === 'one' ? 'one_rate' : 'each_year' };
}

/**
 * `jieneng report --from --to --config`: the intensity report from the store's rollups and the
 * ledger, through the same reports service the API uses. It needs the site file (a report of the
 * demo organization against an empty store would be all missing data) and says on stderr which
 * site, store and data directory the figures come from.
 */
export const reportCommand: ToolCommand = async (ctx) => {
  const [kind] = ctx.operands;
  if (kind === 'statistics') return statisticsCommand(ctx);
  if (kind === 'assessment') return assessmentCommand(ctx);
  if (kind !== undefined)
    throw new JnError(
      'usage',
      `jieneng report: unknown report "${kind}"; the intensity report takes no operand, the annual statistics return is jieneng report statistics --year YEAR, a plan's final assessment jieneng report assessment --plan 十四五`,
    );
  if (text(ctx, 'plan') !== undefined)
    throw new JnError(
      'usage',
      'jieneng report: --plan belongs to jieneng report assessment (a plan’s final assessment); the intensity report measures against the plan its year falls in',
    );
  for (const o of ['year', 'out'])
    if (text(ctx, o) !== undefined)
      throw new JnError(
        'usage',
        `jieneng report: --${o} belongs to jieneng report statistics (the annual statistics return)`,
      );
  const query = queryOf(ctx);
  const format = text(ctx, 'format') as ReportFormat;
  if (!formats.includes(format))
    throw new JnError('usage', `jieneng report: --format ${format}: one of ${formats.join(', ')}`);
  const output = text(ctx, 'output');
  if (format !== 'json' && !output)
    throw new JnError(
      'usage',
      `jieneng report: --format ${format} writes a file (${format === 'csv' ? 'a zip of CSV tables' : 'binary'}): give it a name with -o FILE`,
    );
  if (format === 'csv' && output && !output.toLowerCase().endsWith('.zip'))
    throw new JnError(
      'usage',
      `jieneng report: --format csv writes a zip of CSV tables, one per file: name it ${output.replace(/\.csv$/i, '')}.csv.zip`,
    );
  if (output) checkOutput('report', output);
  const site = requireConfig(text(ctx, 'config'), 'report', ctx.log);
  const dataDir = dataDirOf(ctx);
  // The demo's made-up history is never served without saying so.
  const simulated = simulatedWarning(dataDir);
  if (simulated) ctx.io.err(simulated);
  const ledgerFile = join(dataDir, 'ledger.db');
  const influxUrl = text(ctx, 'influx-url') ?? site.config.platform.influx_url;
  if (!influxUrl && !existsSync(join(dataDir, 'jieneng.db')) && !existsSync(ledgerFile))
    throw new JnError(
      'usage',
      `jieneng report: ${resolve(dataDir)} has neither an embedded store nor a ledger; give the data directory of this site with --data-dir DIR (or --influx-url)`,
    );
  const store = createStore({ influxUrl, dataDir });
  await store.open();
  try {
    const reports = createReports({ site, store, ledgerFile, dataDir: resolve(dataDir) });
    const report = await reports.intensity(query).catch((err: unknown) => {
      // The engine refuses a query the flags allowed (a baseline not before the report year):
      // bad input like every other refused flag, exit 2, not a failure of the report (exit 1).
      if (err instanceof JnError && err.code === 'bad_request')
        throw new JnError('usage', `jieneng report: ${err.message}`, { cause: err });
      throw err;
    });
    ctx.io.err(
      `报表：${report.origin.organization}（${report.origin.site_file}）；数据：${storeName(report.origin.store)}，${report.origin.data_dir}\n`,
    );
    const body =
      format === 'json'
        ? Buffer.from(`${JSON.stringify(report, null, 2)}\n`)
        : (await reports.render(report, format)).body;
    if (output) {
      try {
        writeFileSync(output, body);
      } catch (err) {
        throw notWritten(output, err);
      }
      ctx.io.out(`${output}：已写入 ${format}，${body.length} 字节\n`);
    } else ctx.io.out(body.toString('utf8'));
    return 0;
  } finally {
    await store.close();
  }
};
