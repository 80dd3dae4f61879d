import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { JnError } from '../core/errors.ts';
import type { ReportFormat } from '../core/reports/port.ts';
import { createStore } from '../core/store/openStore.ts';
import { simulatedWarning } from '../device-sims/history/history.ts';
import { type AssessmentReport, resultNames } from '../reports/figures/assessment.ts';
import { assessmentKind } from '../reports/kinds/assessment.ts';
import { Ledger } from '../reports/ledger/ledger.ts';
import { indicatorNames, storeName } from '../reports/render/labels.ts';
import { dataDirOf, requireConfig, type ToolCommand, text } from './context.ts';
import { checkOutput, notWritten } from './outputFile.ts';

const usage = (why: string) => new JnError('usage', `jieneng report assessment: ${why}`);

/** Options of the other reports: the assessment's period is the plan's end year against its base year. */
const notHere = ['from', 'to', 'baseline', 'year', 'out'];
const formats: ReportFormat[] = ['json', 'csv', 'xlsx'];

const pct = (x: number | null) => (x === null ? '缺数据' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} %`);

/** The organization's four results as an officer reads them after the file is written. */
export function assessmentText(a: AssessmentReport): string {
  const org = a.rows.filter((r) => r.scope === a.organization);
  const lines = org.map(
    (r) =>
      `  ${indicatorNames[r.indicator].name}：${pct(r.change)}（目标 ${pct(r.target)}）${resultNames[r.result]}`,
  );
  return `${a.plan.name}终期考核（${a.year} 年对基准年 ${a.base_year}）：${resultNames[a.result]}，${a.result_text}\n${lines.join('\n')}\n`;
}

/**
 * `jieneng report assessment --plan 十四五 [--format json|csv|xlsx] [-o FILE]`: a plan's final
 * assessment (its end year against its base year, all four indicators, per building and the
 * organization, with coverage and what is estimated) from the store and ledger, through the report
 * kind the reports service offers. JSON on stdout without a file; the results are printed too.
 */
export const assessmentCommand: ToolCommand = async (ctx) => {
  const [, extra] = ctx.operands;
  if (extra !== undefined)
    throw usage(
      `unexpected "${extra}"; usage: jieneng report assessment --plan 十四五 [--format json|csv|xlsx] [-o FILE]`,
    );
  for (const o of notHere)
    if (text(ctx, o) !== undefined)
      throw usage(
        `--${o} does not apply: the assessment compares the plan's end year with its base year, both whole`,
      );
  const plan = text(ctx, 'plan');
  if (!plan)
    throw usage('--plan PLAN is required: the plan by short name or id, e.g. 十四五 or 14th-five-year');
  const basis = text(ctx, 'basis');
  if (basis !== 'equivalent' && basis !== 'generation')
    throw usage(`--basis ${basis}: equivalent (当量值) or generation (等价值)`);
  const format = text(ctx, 'format') as ReportFormat;
  if (!formats.includes(format)) throw usage(`--format ${format}: one of ${formats.join(', ')} (no PDF)`);
  const output = text(ctx, 'output');
  if (format !== 'json' && !output)
    throw usage(`--format ${format} writes a file: give it a name with -o FILE`);
  if (format === 'csv' && output && !output.toLowerCase().endsWith('.zip'))
    throw usage(`--format csv writes a zip of CSV tables: name it ${output.replace(/\.csv$/i, '')}.csv.zip`);
  if (output) checkOutput('report assessment', output);
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
    const sources = { site, store, ledger, dataDir: resolve(dataDir) };
    const report = await assessmentKind.build(sources, { plan, basis }).catch((err: unknown) => {
      // an unknown or unpublished plan, an end year not over: bad input, exit 2
      if (err instanceof JnError && err.code === 'bad_request')
        throw new JnError('usage', `jieneng report assessment: ${err.message}`, { cause: err });
      throw err;
    });
    ctx.io.err(
      `终期考核：${report.origin.organization}（${report.origin.site_file}）；数据：${storeName(report.origin.store)}，${report.origin.data_dir}\n`,
    );
    const body = await assessmentKind.render(report, format);
    if (!output) {
      ctx.io.out(body.toString('utf8'));
      ctx.io.err(assessmentText(report));
      return 0;
    }
    try {
      writeFileSync(output, body);
    } catch (err) {
      throw notWritten(output, err);
    }
    ctx.io.out(`${output}：已写入 ${format}，${body.length} 字节\n${assessmentText(report)}`);
    return 0;
  } finally {
    ledger.close();
    await store.close();
  }
};
