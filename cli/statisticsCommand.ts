import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JnError } from '../core/errors.ts';
import type { StatisticsReport } from '../core/reports/statistics.ts';
import { createStore } from '../core/store/openStore.ts';
import { simulatedWarning } from '../device-sims/history/history.ts';
import { statisticsKind } from '../reports/kinds/statistics.ts';
import { Ledger } from '../reports/ledger/ledger.ts';
import { storeName } from '../reports/render/labels.ts';
import { dataDirOf, requireConfig, type ToolCommand, text } from './context.ts';
import { checkOutput, notWritten } from './outputFile.ts';

const usage = (why: string) => new JnError('usage', `jieneng report statistics: ${why}`);

/** The options of the intensity report that mean nothing for a return of one calendar year. */
const intensityOnly = ['from', 'to', 'baseline'];

/** --year: a calendar year from 2000 to 2100. */
function yearOf(value: string | undefined): number {
  if (value === undefined) throw usage('--year YEAR is required: the calendar year of the return, e.g. 2025');
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < 2000 || year > 2100)
    throw usage(`--year ${value} is not allowed; allowed: a calendar year from 2000 to 2100, e.g. 2025`);
  return year;
}

/** The check list as the officer reads it after the file is written. */
export function checklistText(r: StatisticsReport): string {
  if (r.ready) return `${r.year} 年统计报表：核对清单无缺项。\n`;
  const lines = r.checklist.map((c, i) => `  ${i + 1}. ${c.text}`);
  return `${r.year} 年统计报表：报送前尚有 ${r.checklist.length} 项缺数据（核对清单）：\n${lines.join('\n')}\n`;
}

/**
 * `jieneng report statistics --year YEAR [--out FILE.xlsx]`: the annual statistics return from the
 * store and the ledger, through the report kind the API uses; its JSON on stdout without a file.
 * The check list is printed (stderr with JSON on stdout) so that an officer sees what is missing.
 */
export const statisticsCommand: ToolCommand = async (ctx) => {
  const [, extra] = ctx.operands;
  if (extra !== undefined)
    throw usage(`unexpected "${extra}"; usage: jieneng report statistics --year YEAR [--out FILE.xlsx]`);
  for (const o of intensityOnly)
    if (text(ctx, o) !== undefined)
      throw usage(
        `--${o} is an option of the intensity report; the return covers the calendar year of --year`,
      );
  const year = yearOf(text(ctx, 'year'));
  const out = text(ctx, 'out');
  const output = text(ctx, 'output');
  if (out && output && out !== output) throw usage(`--out ${out} and -o ${output}: give one file`);
  const file = out ?? output;
  const format = file && !file.toLowerCase().endsWith('.json') ? 'xlsx' : 'json';
  if (file && format === 'xlsx' && !file.toLowerCase().endsWith('.xlsx'))
    throw usage(`--out ${file}: the return is written as .xlsx (or .json); name it ${file}.xlsx`);
  if (file) checkOutput('report statistics', file);
  const site = requireConfig(text(ctx, 'config'), 'report', ctx.log);
  const dataDir = dataDirOf(ctx);
  const simulated = simulatedWarning(dataDir);
  if (simulated) ctx.io.err(simulated);
  const ledgerFile = join(dataDir, 'ledger.db');
  const influxUrl = text(ctx, 'influx-url') ?? site.config.platform.influx_url;
  if (!influxUrl && !existsSync(join(dataDir, 'jieneng.db')) && !existsSync(ledgerFile))
    throw usage(
      `${resolve(dataDir)} has neither an embedded store nor a ledger; give the data directory of this site with --data-dir DIR (or --influx-url)`,
    );
  const store = createStore({ influxUrl, dataDir });
  await store.open();
  const ledger = new Ledger(ledgerFile);
  try {
    const report = await statisticsKind.build({ site, store, ledger, dataDir: resolve(dataDir) }, { year });
    ctx.io.err(
      `统计报表：${report.origin.organization}（${report.origin.site_file}）；数据：${storeName(report.origin.store)}，${report.origin.data_dir}\n`,
    );
    const body = await statisticsKind.render(report, format);
    if (!file) {
      ctx.io.out(body.toString('utf8'));
      ctx.io.err(checklistText(report));
      return 0;
    }
    try {
      writeFileSync(file, body);
    } catch (err) {
      throw notWritten(file, err);
    }
    ctx.io.out(`${file}：已写入 ${format}，${body.length} 字节\n${checklistText(report)}`);
    return 0;
  } finally {
    ledger.close();
    await store.close();
  }
};
