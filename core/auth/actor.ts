/**
 * Who does something: the authenticated user behind a request or a command. Every audit line and
 * every command carries one; services never take a user name the caller typed about itself.
 */

/** The roles of the platform (issue 15), from most to least privileged. */
export const roles = ['admin', 'engineer', 'officer', 'viewer'] as const;
export type Role = (typeof roles)[number];

/** What each role is for, in the words the CLI, the API docs and the console show. */
export const roleText: Record<Role, { zh: string; en: string }> = {
  admin: { zh: '管理员：用户、令牌、站点设置', en: 'admin: users, tokens, site settings' },
  engineer: {
    zh: '工程师：点位、超控、时间表、日历、设备',
    en: 'engineer: points, overrides, schedules, calendar, devices',
  },
  officer: {
    zh: '节能统计员：建筑事实、能耗台账、报表、目标',
    en: 'officer: facts, entries, reports, targets',
  },
  viewer: { zh: '只读', en: 'viewer: read only' },
};

/** Token scopes beyond the role: `safety` lets a token take command priorities 1–7 (life safety, critical equipment). */
export const scopes = ['safety'] as const;
export type Scope = (typeof scopes)[number];

export interface Actor {
  /** The account name (a person's login, a token's owner, or `system` for the platform itself). */
  user: string;
  role: Role;
  /** How the actor was authenticated: a browser session, an API token, the CLI on the host, or the platform. */
  via: 'session' | 'token' | 'cli' | 'system';
  scopes: readonly Scope[];
  /** The API token's id when `via` is `token`. */
  tokenId?: string;
  /** Where the request came from (the client address), when it came over the network. */
  address?: string;
}

/** The platform itself (schedules, strategies, expiries): never a person, never a token. */
export const systemActor: Actor = { user: 'system', role: 'admin', via: 'system', scopes: [] };
