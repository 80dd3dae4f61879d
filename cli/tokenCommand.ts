import { roles, scopes } from '../core/auth/actor.ts';
import { parseDuration } from '../core/duration.ts';
import { JnError } from '../core/errors.ts';
import { localTimestamp } from '../core/localTime.ts';
import { openAuthState, refusal, stateOptions } from './authCli.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type ToolCommand, text } from './context.ts';

const usage =
  'usage: jieneng token create --name NAME --role ROLE [--scope safety] [--expires 90d]\n' +
  '       jieneng token list | revoke ID';

/** `jieneng token`: its usage line, help page and options (registered in cli/commands.ts). */
export const tokenCommandSpec: CommandSpec = {
  name: 'token',
  operands: 'create | list | revoke ID',
  summary:
    'API tokens for integrations (Authorization: Bearer jn_<id>_<secret>) in DIR/auth.db: the token is printed once at creation and only a hash of its secret is kept. Revoking takes effect at once. Audited as cli:<your login>.',
  notes: `Roles: ${roles.join(', ')}. --scope safety lets the token take command priorities 1–7 (life safety, critical equipment).`,
  options: [
    {
      name: 'name',
      arg: 'NAME',
      defaultText: 'required for create',
      text: 'What uses the token, e.g. "BMS bridge"',
    },
    {
      name: 'role',
      arg: 'ROLE',
      defaultText: 'required for create',
      text: `Role of the token: ${roles.join(', ')}`,
    },
    { name: 'scope', arg: scopes.join('|'), text: 'An extra right of the token' },
    {
      name: 'expires',
      arg: 'DURATION',
      defaultText: 'never (until revoked)',
      text: 'Lifetime from now, e.g. 90d, 12h',
    },
    ...stateOptions,
  ],
  example: 'jieneng token create --name "BMS bridge" --role engineer --expires 90d',
};

const DAY = 86_400_000;

/** Runs one `jieneng token` subcommand; exit 0, 1 when refused, 2 for usage. */
export const tokenCommand: ToolCommand = async (ctx) => {
  const [sub, id, extra] = ctx.operands;
  const ok =
    sub === 'create' || sub === 'list'
      ? id === undefined
      : sub === 'revoke' && id !== undefined && extra === undefined;
  if (!ok) throw new JnError('usage', usage);
  const expiresText = text(ctx, 'expires');
  const lifetime = expiresText === undefined ? undefined : parseDuration(expiresText);
  if (expiresText !== undefined && (lifetime === undefined || lifetime < 60_000 || lifetime > 3650 * DAY))
    throw new JnError(
      'usage',
      `--expires ${expiresText}: a duration from 1min to 3650d with a unit min, h or d (e.g. 90d)`,
    );
  const state = openAuthState(ctx);
  const { auth, audited, timeZone } = state;
  const time = (ms: number | undefined) => (ms === undefined ? '-' : localTimestamp(ms, timeZone));
  try {
    if (sub === 'list') {
      for (const t of auth.listTokens())
        ctx.io.out(
          `${t.id}\t${t.name}\t${t.role}\t${t.scopes.join(',') || '-'}\texpires ${t.expiresAt === undefined ? 'never' : time(t.expiresAt)}\tlast used ${time(t.lastUsedAt)}\t${t.revokedAt === undefined ? 'active' : `revoked ${time(t.revokedAt)}`}\n`,
        );
      return 0;
    }
    if (sub === 'revoke') {
      const t = await audited(
        { action: 'token.revoke', target: `token:${id}` },
        () => auth.revokeToken(id ?? ''),
        (t) => ({ name: t.name, revoked_at: time(t.revokedAt) }),
      );
      ctx.io.out(`token ${t.id} (${t.name}) revoked\n`);
      return 0;
    }
    const name = text(ctx, 'name');
    const role = text(ctx, 'role');
    if (!name || !role)
      throw new JnError('usage', `jieneng token create: --name and --role are required\n${usage}`);
    const scope = text(ctx, 'scope');
    const made = await audited(
      { action: 'token.create', target: `token:(new) ${name}` },
      () =>
        auth.createToken({
          name,
          role,
          ...(scope ? { scopes: [scope] } : {}),
          ...(lifetime ? { expiresAt: Date.now() + lifetime } : {}),
          by: state.actor,
        }),
      ({ info }) => ({
        id: info.id,
        name: info.name,
        role: info.role,
        scopes: info.scopes,
        expires_at: time(info.expiresAt),
      }),
      ({ info }) => `token:${info.id}`,
    );
    ctx.io.out(`${made.token}\n`);
    ctx.io.err(
      `token ${made.info.id} (${made.info.name}, ${made.info.role}${scope ? `, ${scope}` : ''}) created, expires ${made.info.expiresAt === undefined ? 'never (until revoked)' : time(made.info.expiresAt)}. This is the only time it is shown: store it now.\n`,
    );
    return 0;
  } catch (err) {
    return refusal(ctx, `token ${sub}`, err);
  } finally {
    state.close();
  }
};
