import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createAuth } from '../api/auth/auth.ts';
import { AuditLog } from '../core/audit/auditLog.ts';
import { systemActor } from '../core/auth/actor.ts';
import type { Logger } from '../core/log.ts';

/** The account `jieneng start` makes for the built-in demo, and only for it. */
export const demoAdmin = 'demo-admin';

/**
 * How a newcomer signs in, for the lines `jieneng start` prints. There is no default password
 * anywhere: the built-in demo (no --config) gets an admin with a random password made at its
 * first start and shown that once (it stays in the demo's data dir, hashed); a site of one's own
 * never gets one — the first admin is made with `jieneng user add`, and this says so.
 */
export async function firstLogin(options: {
  dataDir: string;
  demo: boolean;
  timeZone: string;
  configFile?: string | undefined;
  log: Logger;
}): Promise<string> {
  const auth = createAuth({
    file: join(options.dataDir, 'auth.db'),
    log: options.log,
    timeZone: options.timeZone,
  });
  try {
    if (auth.listUsers().some((u) => u.role === 'admin' && !u.disabled))
      return options.demo && auth.getUser(demoAdmin)
        ? `  login:  ${demoAdmin} (its password was shown at the first start of this data dir; a new one: jieneng user passwd ${demoAdmin} --data-dir ${options.dataDir})\n`
        : '';
    const where = `${options.configFile ? ` --config ${options.configFile}` : ''} --data-dir ${options.dataDir}`;
    if (!options.demo)
      return `  login:  no account yet — make the first admin: jieneng user add NAME --role admin${where}\n`;
    const password = randomBytes(15).toString('base64url');
    const user = await auth.addUser({ name: demoAdmin, role: 'admin', password, by: systemActor });
    const audit = new AuditLog({ file: join(options.dataDir, 'audit.db'), timeZone: options.timeZone });
    try {
      audit.append({
        actor: systemActor,
        action: 'user.add',
        target: `user:${user.name}`,
        after: { name: user.name, role: user.role },
        outcome: 'ok',
        detail: 'the demo admin, made at the first start of the built-in demo; its password was shown once',
      });
    } finally {
      audit.close();
    }
    return `  login:  ${demoAdmin} / ${password}   (demo only, shown this once; change it: jieneng user passwd ${demoAdmin} --data-dir ${options.dataDir})\n`;
  } finally {
    auth.close();
  }
}
