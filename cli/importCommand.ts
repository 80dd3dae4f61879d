import { join } from 'node:path';
import { loadSite } from '../core/config/loadSite.ts';
import { JnError } from '../core/errors.ts';
import { ImportError, Ledger } from '../reports/ledger/ledger.ts';
import { dataDirOf, demoSite, type ToolCommand, text } from './context.ts';

/** `jieneng import facts|entries FILE`: every row checked, all imported or none, audited in the ledger. */
export const importCommand: ToolCommand = async (ctx) => {
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
