import type { Actor, Role } from '../core/auth/actor.ts';
import { type CommandPrivileges, policyData } from '../core/control/policyData.ts';

/** What a person or a token asks of a point: set `value` (or relinquish, null) at `priority`. */
export interface PrivilegeRequest {
  priority: number;
  value: number | null;
  actor: Actor;
  reason?: string | undefined;
  /** Epoch ms; none: permanent. */
  expiresAt?: number | undefined;
}

/** Why a request is refused: the rule (a path in the policy data) and a sentence naming what is allowed. */
export interface PrivilegeRefusal {
  code: 'priority_not_allowed';
  rule: string;
  message: string;
  /** The same in Chinese (the API's default language). */
  zh: string;
}

/**
 * The BACnet / Project Haystack names of the levels; BACnet leaves 3, 4, 7, 9 and 11–14 "available"
 * (unassigned), and 3, 4 and 7 lie in the safety band 1–7 of the policy: every refusal names its level.
 */
const levelNames: Record<number, string> = {
  1: 'life safety',
  2: 'life safety',
  3: 'safety band, unassigned',
  4: 'safety band, unassigned',
  5: 'critical equipment',
  6: 'minimum on/off',
  7: 'safety band, unassigned',
  8: 'manual operator',
  9: 'unassigned',
  10: 'demand limiting',
  11: 'unassigned',
  12: 'unassigned',
  13: 'unassigned',
  14: 'unassigned',
  15: 'optimal start',
  16: 'schedule',
};

const levelNamesZh: Record<number, string> = {
  1: '生命安全',
  2: '生命安全',
  3: '安全级，未分配',
  4: '安全级，未分配',
  5: '关键设备',
  6: '最短启停',
  7: '安全级，未分配',
  8: '人工操作',
  9: '未分配',
  10: '需量限制',
  11: '未分配',
  12: '未分配',
  13: '未分配',
  14: '未分配',
  15: '优化启动',
  16: '时间表',
};

const roleZh: Record<Role, string> = {
  admin: '管理员',
  engineer: '工程师',
  officer: '节能统计员',
  viewer: '只读用户',
};

const DAY = 86_400_000;

const levelZh = (priority: number) =>
  levelNamesZh[priority] ? `优先级 ${priority}（${levelNamesZh[priority]}）` : `优先级 ${priority}`;

const whoZh = (actor: Actor) =>
  `${actor.user} 的角色是${roleZh[actor.role]}${actor.scopes.length ? `（权限范围：${actor.scopes.join('、')}）` : ''}`;

function grantZh(rule: CommandPrivileges['levels'][number]): string {
  return [...rule.scopes.map((s) => `带 "${s}" 权限范围的令牌`), ...rule.roles.map((r) => roleZh[r])].join(
    '或',
  );
}

const levelText = (priority: number) =>
  levelNames[priority] ? `priority ${priority} (${levelNames[priority]})` : `priority ${priority}`;

const article = (role: Role) => (role === 'admin' || role === 'engineer' || role === 'officer' ? 'an' : 'a');

/** Levels `actor` may take at all, as ranges ("8–16", "1–16"), from the level rules. */
function allowedLevels(actor: Actor, rules: CommandPrivileges): string {
  const ok = Array.from({ length: 16 }, (_, i) => i + 1).filter((l) => {
    const rule = rules.levels.find((r) => r.from <= l && l <= r.to);
    return rule !== undefined && mayTake(actor, rule);
  });
  const ranges: string[] = [];
  for (let i = 0; i < ok.length; i++) {
    const start = ok[i] as number;
    while (i + 1 < ok.length && ok[i + 1] === (ok[i] as number) + 1) i++;
    ranges.push(start === ok[i] ? `${start}` : `${start}–${ok[i]}`);
  }
  return ranges.join(', ');
}

function mayTake(actor: Actor, rule: CommandPrivileges['levels'][number]): boolean {
  return rule.roles.includes(actor.role) || rule.scopes.some((s) => actor.scopes.includes(s));
}

/** Who is asking, as a refusal names them: `王工 is an engineer` (with the safety scope, when held). */
const who = (actor: Actor) =>
  `${actor.user} is ${article(actor.role)} ${actor.role}${actor.scopes.length ? ` (scopes: ${actor.scopes.join(', ')})` : ''}`;

/** How a level rule is granted, in words: `a token with the "safety" scope or an admin`. */
function grantText(rule: CommandPrivileges['levels'][number]): string {
  const parts = [
    ...rule.scopes.map((s) => `a token with the "${s}" scope`),
    ...rule.roles.map((r) => `${article(r)} ${r}`),
  ];
  return parts.join(' or ');
}

/**
 * The refusal of a command by the command privileges of the policy data (core/control/data/policy.yaml,
 * `command_privileges`), or undefined when `req.actor` may do it at `now`. Relinquishing a level
 * needs the same privilege as setting it (not its reason or expiry).
 */
export function privilegeRefusal(
  req: PrivilegeRequest,
  now: number,
  rules: CommandPrivileges = policyData.command_privileges,
): PrivilegeRefusal | undefined {
  const refuse = (rule: string, message: string, zh: string): PrivilegeRefusal => ({
    code: 'priority_not_allowed',
    rule: `command_privileges.${rule}`,
    message,
    zh,
  });
  const { actor, priority } = req;
  const engineerLevels = allowedLevels({ ...actor, role: 'engineer', scopes: [] }, rules);
  if (rules.no_command.roles.includes(actor.role))
    return refuse(
      'no_command',
      `${who(actor)}: ${rules.no_command.roles.map((r) => `${r}s`).join(' and ')} may not command equipment; an engineer takes priority ${engineerLevels}`,
      `${whoZh(actor)}：${rules.no_command.roles.map((r) => roleZh[r]).join('和')}不能下发设备指令；工程师可使用优先级 ${engineerLevels}`,
    );
  const index = rules.levels.findIndex((r) => r.from <= priority && priority <= r.to);
  const rule = rules.levels[index];
  if (!rule) return undefined; // not a level: the engine refuses it by its own words
  const path = `levels[${index}]`;
  const needs = [rule.reason ? 'a reason' : '', rule.expiry ? 'an expiry' : ''].filter(Boolean).join(' and ');
  const needsZh = [rule.reason ? '原因' : '', rule.expiry ? '到期时间' : ''].filter(Boolean).join('和');
  if (!mayTake(actor, rule) && req.value === null)
    // A relinquish needs the level's privilege, not its reason or expiry: say who may clear it.
    return refuse(
      path,
      `relinquishing ${levelText(priority)} needs ${grantText(rule)}; ${who(actor)}: relinquish priority ${allowedLevels(actor, rules)}`,
      `释放${levelZh(priority)}需要${grantZh(rule)}；${whoZh(actor)}：可释放优先级 ${allowedLevels(actor, rules)}`,
    );
  if (!mayTake(actor, rule))
    return refuse(
      path,
      `${levelText(priority)} needs ${grantText(rule)}${needs ? ` with ${needs}` : ''}; ${who(actor)}: take priority ${allowedLevels(actor, rules)}`,
      `${levelZh(priority)}需要${grantZh(rule)}${needsZh ? `，并须填写${needsZh}` : ''}；${whoZh(actor)}：可使用优先级 ${allowedLevels(actor, rules)}`,
    );
  if (req.value === null) return undefined;
  const reason = req.reason?.trim();
  if (rule.reason && !reason)
    return refuse(
      path,
      `${levelText(priority)} needs a reason: give "reason" (and an expiry)`,
      `${levelZh(priority)}需要填写原因（reason），并设到期时间`,
    );
  return expiryRefusal(req, now, rules, { rule, path, refuse });
}

/** The expiry rules: required (unless permanent is allowed and reasoned), and at most `max_expiry`. */
function expiryRefusal(
  req: PrivilegeRequest,
  now: number,
  rules: CommandPrivileges,
  at: {
    rule: CommandPrivileges['levels'][number];
    path: string;
    refuse: (rule: string, message: string, zh: string) => PrivilegeRefusal;
  },
): PrivilegeRefusal | undefined {
  const max = rules.max_expiry.value;
  const { actor, priority } = req;
  if (req.expiresAt === undefined && at.rule.expiry) {
    const admins = rules.permanent.roles.map((r) => `${article(r)} ${r}`).join(' or ');
    const needsExpiry = `${levelText(priority)} needs an expiry: give "for" (e.g. "2h") or "until", at most ${max} d`;
    const needsExpiryZh = `${levelZh(priority)}需要到期时间：填写 "for"（如 "2h"）或 "until"，最长 ${max} 天`;
    if (!at.rule.permanent) return at.refuse(at.path, needsExpiry, needsExpiryZh);
    if (!rules.permanent.roles.includes(actor.role))
      return at.refuse(
        'permanent',
        `${needsExpiry}; only ${admins} with a reason sets an override without one, and ${who(actor)}`,
        `${needsExpiryZh}；只有${rules.permanent.roles.map((r) => roleZh[r]).join('或')}填写原因后才能设置无到期时间的超控，${whoZh(actor)}`,
      );
    if (rules.permanent.reason && !req.reason?.trim())
      return at.refuse(
        'permanent',
        `a permanent override (no expiry) at ${levelText(priority)} needs a reason: give "reason", or an expiry ("for" or "until")`,
        `无到期时间（永久）的超控（${levelZh(priority)}）需要填写原因（reason），或设到期时间（"for" 或 "until"）`,
      );
    return undefined;
  }
  if (req.expiresAt === undefined) return undefined;
  if (req.expiresAt - now > max * DAY) {
    const days = ((req.expiresAt - now) / DAY).toFixed(1);
    const mayPermanent = rules.permanent.roles.includes(actor.role);
    return at.refuse(
      'max_expiry',
      `an expiry ${days} d from now is past the longest override, ${max} d; give at most ${max} d${mayPermanent ? ', or no expiry with a reason (permanent)' : ''}`,
      `到期时间距今 ${days} 天，超过超控的最长期限 ${max} 天；请设不超过 ${max} 天${mayPermanent ? '，或填写原因后不设到期时间（永久）' : ''}`,
    );
  }
  return undefined;
}
