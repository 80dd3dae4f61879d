import { JnError } from '../core/errors.ts';
import { openAuthState, stateOptions } from './authCli.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type ToolCommand, text } from './context.ts';

/** `jieneng audit`: its usage line, help page and options (registered in cli/commands.ts). */
export const auditCommandSpec: CommandSpec = {
  name: 'audit',
  operands: 'verify | list',
  summary:
    'The audit log of every change (DIR/audit.db): verify walks its hash chain (exit 0 when intact, 1 naming the first entry that was edited, deleted or inserted) and prints the head hash to keep elsewhere; with --head it also checks an earlier head is still there; list prints the newest entries.',
  options: [
    { name: 'limit', arg: 'N', default: '50', text: 'How many entries list prints, 1–1000' },
    {
      name: 'head',
      arg: 'HASH',
      defaultText: 'none',
      text: 'A head hash verify printed earlier and kept off this machine: verify also checks the log still holds it (a chain rewritten or cut back to before it fails)',
    },
    ...stateOptions,
  ],
  example: 'jieneng audit verify --data-dir /var/lib/jieneng',
};

/** `jieneng audit verify | list`. */
export const auditCommand: ToolCommand = async (ctx) => {
  const [sub, extra] = ctx.operands;
  if ((sub !== 'verify' && sub !== 'list') || extra !== undefined)
    throw new JnError('usage', 'usage: jieneng audit verify | list [--limit N]');
  const limitText = text(ctx, 'limit') ?? '50';
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000)
    throw new JnError('usage', `--limit ${limitText}: a whole number from 1 to 1000`);
  const { audit, close } = openAuthState(ctx);
  try {
    if (sub === 'list') {
      for (const e of audit.list({ limit }))
        ctx.io.out(
          `${e.id}\t${e.at}\t${e.actor.user} (${e.actor.role}, ${e.actor.via}${e.actor.address ? ` from ${e.actor.address}` : ''})\t${e.action}\t${e.target ?? '-'}\t${e.outcome}${e.detail ? `\t${e.detail}` : ''}\n`,
        );
      return 0;
    }
    const v = audit.verify();
    const kept = text(ctx, 'head');
    if (v.ok && kept !== undefined && !audit.withHash(kept)) {
      ctx.io.err(
        `audit log: no entry has the head ${kept} kept earlier: the log was rewritten or cut back since (its own ${v.entries} entries chain, but not to that head)\n`,
      );
      return 1;
    }
    if (v.ok) {
      const [last] = audit.list({ limit: 1 });
      const at = kept === undefined ? '' : `; holds the kept head (entry ${audit.withHash(kept)?.id})`;
      ctx.io.out(
        `${v.entries} entries, chain intact${at}\n` +
          (last
            ? `head: entry ${last.id} ${last.hash} — keep it off this machine; \`jieneng audit verify --head ${last.hash}\` later proves nothing up to it was rewritten\n`
            : ''),
      );
      return 0;
    }
    ctx.io.err(
      `audit log broken at entry ${v.problem?.id}: ${v.problem?.reason}. The ${v.entries} entries before it are intact.\n`,
    );
    return 1;
  } finally {
    close();
  }
};
