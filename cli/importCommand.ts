import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditLog } from '../core/audit/auditLog.ts';
import { errorText, JnError } from '../core/errors.ts';
import { figure } from '../reports/ledger/cells.ts';
import { ImportError, type ImportResult, Ledger, type Replacement } from '../reports/ledger/ledger.ts';
import { writeTemplate } from '../reports/ledger/template.ts';
import { cliActor } from './authCli.ts';
import { dataDirOf, requireConfig, type ToolCommand, text } from './context.ts';
import { checkOutput, notWritten } from './outputFile.ts';

const usage =
  'usage: jieneng import facts|entries FILE.csv|FILE.xlsx [--replace] --config FILE [--data-dir DIR]\n' +
  '       jieneng import template facts|entries -o FILE.xlsx --config FILE';

const isKind = (k: string | undefined): k is 'facts' | 'entries' => k === 'facts' || k === 'entries';
/** What a kind is called where an officer reads it: the template's sheet names. */
const kindName: Record<string, string> = { facts: '建筑信息', entries: '能源台账' };

/**
 * `jieneng import facts|entries FILE`: every row checked, all imported or none, audited in the
 * ledger; `--replace` replaces stored entries the file overlaps. `jieneng import template
 * facts|entries -o FILE.xlsx`: a template to fill in.
 */
export const importCommand: ToolCommand = async (ctx) => {
  const [kind, file, extra] = ctx.operands;
  // The site names the buildings rows may use: never guessed (the demo's would refuse a real site's rows).
  const site = requireConfig(text(ctx, 'config'), 'import', ctx.log).config;
  if (kind === 'template') {
    const [, what, positional] = ctx.operands;
    const out = text(ctx, 'output') ?? positional;
    if (!isKind(what) || !out?.toLowerCase().endsWith('.xlsx'))
      throw new JnError('usage', `jieneng import template: give facts or entries and -o FILE.xlsx\n${usage}`);
    checkOutput('import template', out);
    try {
      await writeTemplate(what, out, site.organization.buildings);
    } catch (err) {
      throw notWritten(out, err);
    }
    const again = `jieneng import ${what} ${out} --config ${text(ctx, 'config')} --data-dir ${dataDirOf(ctx)}`;
    ctx.io.out(`${out}：已写入${kindName[what]}模板（填好后运行：${again}）\n`);
    return 0;
  }
  if (!isKind(kind) || !file || extra !== undefined) throw new JnError('usage', usage);
  if (!existsSync(file) || !statSync(file).isFile()) {
    ctx.io.err(`jieneng import: ${file}：${existsSync(file) ? '不是文件' : '没有这个文件'}\n`);
    return 1;
  }
  const ledger = new Ledger(join(dataDirOf(ctx), 'ledger.db'));
  // The platform's audit (DIR/audit.db) has every import too, as the API's POST /facts|entries.
  const audit = new AuditLog({ file: join(dataDirOf(ctx), 'audit.db'), timeZone: site.site.timezone });
  const replace = ctx.values.replace === true;
  const entry = { actor: cliActor(), action: `ledger.import.${kind}`, target: `file:${resolve(file)}` };
  try {
    const r = await ledger.importFile(kind, file, site, new Date(), { replace });
    audit.append({
      ...entry,
      outcome: 'ok',
      after: { imported: r.imported, replaced: r.replaced, replace, replacements: r.replacements },
    });
    ctx.io.out(summary(file, kind, r));
    return 0;
  } catch (err) {
    audit.append({
      ...entry,
      outcome: err instanceof ImportError ? 'refused' : 'failed',
      detail: errorText(err),
    });
    if (err instanceof ImportError) {
      ctx.io.err(`${file}：${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    ledger.close();
    audit.close();
  }
};

/** What was imported, how it was read, and what it replaced, one line each. */
export function summary(file: string, kind: string, r: ImportResult): string {
  const same = r.identical > 0 ? `，其中 ${r.identical} 条与已存的相同` : '';
  const lines = [
    `${file}：已导入 ${r.imported} 条${kindName[kind] ?? kind}（${r.replaced} 条替换了先前的导入${same}）`,
  ];
  if (r.encoding) lines.push(`  按 ${r.encoding} 读取`);
  for (const n of r.notes) lines.push(`  注：${n}`);
  for (const x of r.replacements)
    lines.push(`  已将 ${describe(x.old)} 替换为 ${x.by.map(describe).join('；')}`);
  return `${lines.join('\n')}\n`;
}

function describe(row: Replacement['old'] | Replacement['by'][number]): string {
  if ('energy_type' in row)
    return `${row.building} ${row.energy_type} ${row.period_start} 至 ${row.period_end} ${figure(row.quantity_given)} ${row.unit_given}（"${row.source}"）`;
  return `${row.building} 自 ${row.effective_from} 起：${figure(row.floor_area_m2)} m²、${figure(row.headcount)} 人`;
}
