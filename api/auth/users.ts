import type Database from 'better-sqlite3';
import { type Role, roles } from '../../core/auth/actor.ts';
import { JnError } from '../../core/errors.ts';
import { hashPassword } from './passwords.ts';

/** An account as the API and the CLI show it: never its password or hash. */
export interface UserInfo {
  name: string;
  role: Role;
  disabled: boolean;
  /** ms since the epoch. */
  createdAt: number;
  createdBy: string;
}

interface UserRow {
  name: string;
  role: Role;
  password_hash: string;
  disabled: number;
  created_at: number;
  created_by: string;
}

// Letters of any script (张工, Müller), digits, and . _ - inside; no spaces, no ":" (the CLI's
// actors are "cli:<login>", which no account can then impersonate).
const namePattern = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}._-]*[\p{L}\p{M}\p{N}])?$/u;
const reservedNames = new Set(['system', 'anonymous']);

/**
 * The key two account names are compared by: NFKC (full-width ｄｅｍｏ is demo) and lower case, so
 * `DEMO-ADMIN` or `ｄｅｍｏ-admin` cannot be made beside `demo-admin` to pass for it (second review).
 */
export const nameKey = (name: string): string => name.normalize('NFKC').toLowerCase();

/** The account name, NFKC-normalized, or a bad_request naming what is allowed. */
export function checkUserName(name: string): string {
  const n = name.normalize('NFKC');
  const length = [...n].length;
  if (length < 1 || length > 64 || !namePattern.test(n))
    throw new JnError(
      'bad_request',
      `user name "${name}": 1–64 letters (any script, e.g. 张工) or digits, with . _ - allowed inside; no spaces`,
    );
  if (reservedNames.has(n.toLowerCase()))
    throw new JnError('bad_request', `user name "${name}" is reserved for the platform; choose another`);
  return n;
}

/** The role, or a bad_request listing the roles. */
export function checkRole(role: string): Role {
  if (!(roles as readonly string[]).includes(role))
    throw new JnError('bad_request', `role "${role}": one of ${roles.join(', ')}`);
  return role as Role;
}

const toInfo = (r: UserRow): UserInfo => ({
  name: r.name,
  role: r.role,
  disabled: r.disabled === 1,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

/** Accounts in auth.db: add, change role, password and disabled flag; never deleted (the audit names them). */
export class Users {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
  ) {}

  /** The account `name` names: the exact name, else the one with the same key (nameKey). */
  row(name: string): UserRow | undefined {
    const exact = this.db.prepare('SELECT * FROM users WHERE name = ?').get(name.normalize('NFC')) as
      | UserRow
      | undefined;
    if (exact) return exact;
    // Accounts are few (people of one site): comparing keys in a scan needs no schema change, and
    // finds accounts made before names were compared this way.
    const key = nameKey(name);
    const all = this.db.prepare('SELECT * FROM users ORDER BY created_at, name').all() as UserRow[];
    return all.find((r) => nameKey(r.name) === key);
  }

  /**
   * The name a login counts failures and locks under: the account's own name when one matches,
   * otherwise the key — so `ADMIN`, `admin` and `ａｄｍｉｎ` share one lockout.
   */
  loginName(typed: string): string {
    return this.row(typed)?.name ?? nameKey(typed);
  }

  get(name: string): UserInfo | undefined {
    const r = this.row(name);
    return r && toInfo(r);
  }

  list(): UserInfo[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY created_at, name').all() as UserRow[]).map(toInfo);
  }

  async add(input: { name: string; role: string; password: string; by: string }): Promise<UserInfo> {
    const name = checkUserName(input.name);
    const role = checkRole(input.role);
    const same = this.row(name);
    if (same)
      throw new JnError(
        'conflict',
        same.name === input.name
          ? `user "${name}" already exists`
          : `user "${input.name}" is too like the existing account "${same.name}" (names are compared ignoring case and full-width forms); choose another`,
      );
    const passwordHash = await hashPassword(input.password);
    const at = this.now();
    try {
      this.db
        .prepare(
          'INSERT INTO users (name, role, password_hash, disabled, created_at, created_by, updated_at) VALUES (?, ?, ?, 0, ?, ?, ?)',
        )
        .run(name, role, passwordHash, at, input.by, at);
    } catch (err) {
      // another process added the same name while the hash was computed
      if (String(err).includes('UNIQUE')) throw new JnError('conflict', `user "${name}" already exists`);
      throw err;
    }
    return this.existing(name);
  }

  async setPassword(name: string, password: string): Promise<UserInfo> {
    return this.update(name, { password });
  }

  setRole(name: string, role: string): UserInfo {
    return this.write(name, { role: checkRole(role) });
  }

  setDisabled(name: string, disabled: boolean): UserInfo {
    return this.write(name, { disabled });
  }

  /** Several changes at once: all are checked first, then written together, or none. */
  async update(
    name: string,
    changes: { role?: string; disabled?: boolean; password?: string },
  ): Promise<UserInfo> {
    const user = this.existing(name);
    const role = changes.role === undefined ? undefined : checkRole(changes.role);
    // Checked before the (slow) hash so a refusal is quick, and again when writing.
    this.keepAnAdmin(user, { role: role ?? user.role, disabled: changes.disabled ?? user.disabled });
    const passwordHash = changes.password === undefined ? undefined : await hashPassword(changes.password);
    return this.write(name, {
      ...(role !== undefined ? { role } : {}),
      ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
      ...(passwordHash !== undefined ? { passwordHash } : {}),
    });
  }

  /** Writes the given fields in one transaction, refusing to leave no enabled admin. */
  private write(name: string, changes: { role?: Role; disabled?: boolean; passwordHash?: string }): UserInfo {
    return this.db
      .transaction(() => {
        // Read and checked inside the transaction: another process may have changed the admins.
        const user = this.existing(name);
        const next = { role: changes.role ?? user.role, disabled: changes.disabled ?? user.disabled };
        this.keepAnAdmin(user, next);
        this.db
          .prepare(
            'UPDATE users SET role = ?, disabled = ?, password_hash = coalesce(?, password_hash), updated_at = ? WHERE name = ?',
          )
          .run(next.role, next.disabled ? 1 : 0, changes.passwordHash ?? null, this.now(), user.name);
        return this.existing(user.name);
      })
      .immediate();
  }

  /** The user, or not_found naming it. */
  existing(name: string): UserInfo {
    const user = this.get(name);
    if (!user) throw new JnError('not_found', `user "${name}" does not exist`);
    return user;
  }

  /** Refuses a change that would leave no enabled admin: nobody could manage users any more. */
  private keepAnAdmin(user: UserInfo, next: { role: Role; disabled: boolean }): void {
    const isAdmin = user.role === 'admin' && !user.disabled;
    if (!isAdmin || (next.role === 'admin' && !next.disabled)) return;
    const others = this.db
      .prepare("SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0 AND name <> ?")
      .get(user.name) as { n: number };
    const what = next.disabled ? `disable "${user.name}"` : `make "${user.name}" ${next.role}`;
    if (others.n === 0)
      throw new JnError(
        'conflict',
        `cannot ${what}: it is the last enabled admin, and without one nobody can manage users and tokens; make another admin first`,
      );
  }
}
