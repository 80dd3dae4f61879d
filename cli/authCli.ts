import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type Auth, createAuth } from '../api/auth/auth.ts';
import { type AuditInput, AuditLog } from '../core/audit/auditLog.ts';
import type { Actor } from '../core/auth/actor.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { OptionSpec } from './commandSpec.ts';
import { type CommandContext, dataDirOf, loadSiteLogged, text } from './context.ts';

/** --config and --data-dir as the user, token and audit commands take them. */
export const stateOptions: OptionSpec[] = [
  {
    name: 'config',
    arg: 'FILE',
    defaultText: 'none: times in Asia/Shanghai',
    text: 'Site file (YAML); its time zone stamps the audit entries',
  },
  {
    name: 'data-dir',
    arg: 'DIR',
    default: './data',
    text: 'Where auth.db (users, tokens) and audit.db live — the API’s data directory',
  },
];

/** Who a CLI command acts as: the host's login, with admin rights (whoever can run it can read the files). */
export function cliActor(): Actor {
  let login = 'unknown';
  try {
    login = userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid): the audit still says it was the CLI
  }
  return { user: `cli:${login}`, role: 'admin', via: 'cli', scopes: [] };
}

/** auth.db and audit.db of the data directory, and the CLI's actor. */
export interface AuthState {
  auth: Auth;
  audit: AuditLog;
  actor: Actor;
  timeZone: string;
  /** Runs a mutation and audits it: `ok` with its result, `refused` with the error's message (then rethrown). */
  audited<T>(
    entry: Omit<AuditInput, 'actor' | 'outcome'>,
    run: () => T | Promise<T>,
    after?: (r: T) => unknown,
    /** The target once known (a new token's id). */
    targetOf?: (r: T) => string,
  ): Promise<T>;
  close(): void;
}

export function openAuthState(ctx: CommandContext): AuthState {
  const config = text(ctx, 'config');
  const timeZone = config ? loadSiteLogged(config, ctx.log).config.site.timezone : 'Asia/Shanghai';
  const dir = dataDirOf(ctx);
  mkdirSync(dir, { recursive: true });
  const auth = createAuth({ file: join(dir, 'auth.db'), log: ctx.log, timeZone });
  const audit = new AuditLog({ file: join(dir, 'audit.db'), timeZone });
  const actor = cliActor();
  return {
    auth,
    audit,
    actor,
    timeZone,
    audited: async (entry, run, after, targetOf) => {
      try {
        const result = await run();
        audit.append({
          ...entry,
          ...(targetOf ? { target: targetOf(result) } : {}),
          actor,
          outcome: 'ok',
          ...(after ? { after: after(result) } : {}),
        });
        return result;
      } catch (err) {
        const outcome = err instanceof JnError ? 'refused' : 'failed';
        audit.append({ ...entry, actor, outcome, detail: errorText(err) });
        throw err;
      }
    },
    close: () => {
      auth.close();
      audit.close();
    },
  };
}

/** A refusal of the auth layer (bad name, last admin, unknown user) as the CLI prints it: exit 1. */
export function refusal(ctx: CommandContext, command: string, err: unknown): number {
  if (err instanceof JnError && err.code !== 'usage') {
    ctx.io.err(`jieneng ${command}: ${err.message}\n`);
    return 1;
  }
  throw err;
}
