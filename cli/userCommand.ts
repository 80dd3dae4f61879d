import { roles } from '../core/auth/actor.ts';
import { JnError } from '../core/errors.ts';
import { localTimestamp } from '../core/localTime.ts';
import { openAuthState, refusal, stateOptions } from './authCli.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type CommandContext, type ToolCommand, text } from './context.ts';
import { readNewPassword } from './passwordInput.ts';

const usage =
  'usage: jieneng user add NAME --role ROLE [--password-stdin]\n' +
  '       jieneng user list | passwd NAME [--password-stdin] | role NAME ROLE | disable NAME | enable NAME | unlock NAME | unblock ADDRESS';

/** `jieneng user`: its usage line, help page and options (registered in cli/commands.ts). */
export const userCommandSpec: CommandSpec = {
  name: 'user',
  operands:
    'add NAME | list | passwd NAME | role NAME ROLE | disable NAME | enable NAME | unlock NAME | unblock ADDRESS',
  summary:
    'Accounts of the API and console in DIR/auth.db: the first admin is made here. Passwords (at least 12 characters) are stored as argon2id hashes; every change is in the audit log (DIR/audit.db) as cli:<your login>.',
  notes:
    `Roles: ${roles.join(', ')}. On a terminal the password is asked twice without echo; otherwise (or with --password-stdin) the first line of stdin is read. There is no default password.\n` +
    'Accounts are never deleted: disable one (its sessions end at once). The last enabled admin cannot be demoted or disabled.\n' +
    "An account locked after 5 failed logins unlocks by itself after 15 min; unlock, passwd and enable lift the lock at once. A client address with 20 failed logins in 15 min gets 429 for every account until its failures leave the window; unblock ADDRESS lifts that at once (behind a reverse proxy, start the API with --trust-proxy, or every client is the proxy's address).",
  options: [
    {
      name: 'role',
      arg: 'ROLE',
      defaultText: 'required for add',
      text: `Role of the new account: ${roles.join(', ')}`,
    },
    { name: 'password-stdin', text: 'Read the password from the first line of stdin, even on a terminal' },
    ...stateOptions,
  ],
  example: 'jieneng user add 张工 --role engineer --data-dir /var/lib/jieneng',
};

/** Runs one `jieneng user` subcommand; exit 0, 1 when refused (named on stderr), 2 for usage. */
export const userCommand: ToolCommand = async (ctx) => {
  const [sub, name, arg, extra] = ctx.operands;
  const arity: Record<string, number> = {
    add: 1,
    list: 0,
    passwd: 1,
    role: 2,
    disable: 1,
    enable: 1,
    unlock: 1,
    unblock: 1,
  };
  const wanted = sub === undefined ? undefined : arity[sub];
  const given = [name, arg, extra].filter((x) => x !== undefined).length;
  if (wanted === undefined || given !== wanted) throw new JnError('usage', usage);
  const state = openAuthState(ctx);
  try {
    return await run(ctx, sub as string, name ?? '', arg ?? '', state);
  } catch (err) {
    return refusal(ctx, `user ${sub}`, err);
  } finally {
    state.close();
  }
};

async function run(
  ctx: CommandContext,
  sub: string,
  name: string,
  arg: string,
  state: ReturnType<typeof openAuthState>,
): Promise<number> {
  const { auth, audited } = state;
  const stdin = ctx.values['password-stdin'] === true;
  const target = `user:${name}`;
  const shown = (u: { name: string; role: string; disabled: boolean }) => ({
    name: u.name,
    role: u.role,
    disabled: u.disabled,
  });
  // passwd, enable and unlock lift a login lock; the output says so when there was one.
  const until = auth.lockedUntil(name);
  const lifted =
    until === undefined
      ? ''
      : `; it was locked after failed logins until ${localTimestamp(until, state.timeZone)}, now unlocked`;
  switch (sub) {
    case 'list':
      for (const u of auth.listUsers())
        ctx.io.out(
          `${u.name}\t${u.role}\t${u.disabled ? 'disabled' : 'enabled'}\tcreated ${localTimestamp(u.createdAt, state.timeZone)} by ${u.createdBy}\n`,
        );
      return 0;
    case 'add': {
      const role = text(ctx, 'role');
      if (!role)
        throw new JnError('usage', `jieneng user add ${name}: --role is required (${roles.join(', ')})`);
      if (auth.getUser(name)) throw new JnError('conflict', `user "${name}" already exists`);
      const password = await readNewPassword(stdin, name);
      const user = await audited(
        { action: 'user.add', target },
        () => auth.addUser({ name, role, password, by: state.actor }),
        shown,
      );
      ctx.io.out(`user ${user.name} added (${user.role})\n`);
      return 0;
    }
    case 'passwd': {
      // Named before a password is asked for.
      if (!auth.getUser(name)) throw new JnError('not_found', `user "${name}" does not exist`);
      const password = await readNewPassword(stdin, name);
      await audited({ action: 'user.passwd', target }, () => auth.setPassword(name, password));
      ctx.io.out(`password of ${name} changed; its sessions were ended${lifted}\n`);
      return 0;
    }
    case 'role': {
      const before = auth.getUser(name);
      const user = await audited(
        { action: 'user.role', target, ...(before ? { before: shown(before) } : {}) },
        () => auth.setRole(name, arg),
        shown,
      );
      ctx.io.out(`${user.name} is now ${user.role}\n`);
      return 0;
    }
    case 'unblock': {
      const cleared = await audited({ action: 'user.unblock', target: `address:${name}` }, () =>
        auth.unblockAddress(name),
      );
      ctx.io.out(
        cleared > 0
          ? `${name}: ${cleared} failed login(s) cleared; logins from it are no longer refused\n`
          : `${name} had no failed logins counted\n`,
      );
      return 0;
    }
    case 'unlock': {
      const { user } = await audited(
        { action: 'user.unlock', target },
        () => auth.unlock(name),
        (r) => ({ ...shown(r.user), locked: false }),
      );
      ctx.io.out(lifted ? `${user.name}${lifted.replace(/^; it/, ':')}\n` : `${user.name} was not locked\n`);
      return 0;
    }
    default: {
      const disabled = sub === 'disable';
      const user = await audited(
        { action: `user.${sub}`, target },
        () => auth.setDisabled(name, disabled),
        shown,
      );
      ctx.io.out(`${user.name} ${disabled ? 'disabled; its sessions were ended' : `enabled${lifted}`}\n`);
      return 0;
    }
  }
}
