import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dateProblem } from '../core/dates.ts';
import { JnError } from '../core/errors.ts';
import type { IntensityQuery, ReportFormat } from '../core/reports/port.ts';
import { createStore } from '../core/store/openStore.ts';
import { createReports } from '../reports/service.ts';
import { dataDirOf, requireConfig, type ToolCommand, text } from './context.ts';

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
  if (baselineYear !== undefined && !(/^\d{4}$/.test(baselineText ?? '') && baselineYear >= 2000))
    throw new JnError('usage', `jieneng report: --baseline ${baselineText}: a year from 2000, e.g. 2020`);
  return { from, to, baselineYear, basis, coalRate: coal === 'one' ? 'one_rate' : 'each_year' };
}

/**
 * `jieneng report --from --to --config`: the intensity report from the store's rollups and the
 * ledger, through the same reports service the API uses. It needs the site file (a report of the
 * demo organization against an empty store would be all missing data) and says on stderr which
 * site, store and data directory the figures come from.
 */
export const reportCommand: ToolCommand = async (ctx) => {
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
  const site = requireConfig(text(ctx, 'config'), 'report', ctx.log);
  const dataDir = dataDirOf(ctx);
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
    const report = await reports.intensity(query);
    ctx.io.err(
      `report for ${report.origin.organization} (${report.origin.site_file}); data: ${report.origin.store}, ${report.origin.data_dir}\n`,
    );
    const body =
      format === 'json'
        ? Buffer.from(`${JSON.stringify(report, null, 2)}\n`)
        : (await reports.render(report, format)).body;
    if (output) {
      writeFileSync(output, body);
      ctx.io.out(`${output}: ${format}, ${body.length} bytes\n`);
    } else ctx.io.out(body.toString('utf8'));
    return 0;
  } finally {
    await store.close();
  }
};
