import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { createStore } from '../core/store/openStore.ts';
import { buildReport } from '../reports/figures/build.ts';
import { Ledger } from '../reports/ledger/ledger.ts';
import { renderReport } from '../reports/render/render.ts';
import { dataDirOf, demoSite, type ToolCommand, text } from './context.ts';

/** `jieneng report --from --to`: the intensity report from the store's rollups and the ledger. */
export const reportCommand: ToolCommand = async (ctx) => {
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
    // --to is still the day after the last (until the CLI takes inclusive dates too)
    const last = new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const built = await buildReport({ site, store, ledger, from, to: last, baselineYear, basis });
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
