import { join } from 'node:path';
import { createAuth } from '../../api/auth/auth.ts';
import type { Role, Scope } from '../../core/auth/actor.ts';
import { createLogger } from '../../core/log.ts';

/**
 * An API token for tests, made the way `jieneng token create` makes one: in the data dir's
 * auth.db, which the API under test opens too. `headers` carry it (and JSON as the content type).
 */
export function apiToken(
  dataDir: string,
  options: { role?: Role; name?: string; scopes?: Scope[] } = {},
): { token: string; headers: Record<string, string> } {
  const auth = createAuth({ file: join(dataDir, 'auth.db'), log: createLogger({ level: 'error' }) });
  try {
    const role = options.role ?? 'admin';
    const { token } = auth.createToken({
      name: options.name ?? `test-${role}`,
      role,
      scopes: options.scopes ?? [],
      by: { user: options.name ?? `test-${role}`, role: 'admin', via: 'cli', scopes: [] },
    });
    return { token, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } };
  } finally {
    auth.close();
  }
}

/** `fetch` that sends this token with every call (headers given to a call are kept beside it). */
export function authedFetch(token: { headers: Record<string, string> }): typeof fetch {
  const authorization = token.headers.authorization ?? '';
  return (input, init) =>
    fetch(input, {
      ...init,
      headers: { authorization, ...(init?.headers as Record<string, string> | undefined) },
    });
}
