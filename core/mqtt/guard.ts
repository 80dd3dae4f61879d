import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log.ts';
import {
  type AclScope,
  type Authorizer,
  authorizerFor,
  clientIdOwner,
  clientIdPrefix,
  type Principal,
  sitePrincipals,
} from './acl.ts';

/**
 * What a broker refused, by action: the embedded broker's status and metric. `deliver`: a message
 * a client's session would have received outside its subscribe ACL (a queued one, or one of a
 * subscription an earlier ACL allowed).
 */
export interface Refusals {
  connect: number;
  publish: number;
  subscribe: number;
  deliver: number;
}

/** A refusal is logged once per client, action and topic in this long (ms). */
const LOG_EVERY_MS = 60_000;
/** Remembered (client, topic) pairs at most; a client cycling through topics cannot grow it without bound. */
const MAX_REMEMBERED = 10_000;

/** Why `clientId` is not `principal`'s (core/mqtt/acl.ts `clientIdPrefixes`), or undefined if it is. */
function clientIdRefusal(
  principal: Principal,
  clientId: string,
  principals: readonly Principal[],
  siteId: string,
): string | undefined {
  const owner = clientIdOwner(clientId, principals, siteId);
  if (owner?.user === principal.user) return undefined;
  const own = clientIdPrefix(principal, siteId);
  const whose = owner ? `${owner.user}'s` : "no principal's";
  return `client id "${clientId}" is ${whose}: ${principal.user} connects as ${own} or ${own}-…`;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * The broker's door: who may log in (user + password) and what each principal may publish and
 * subscribe to (core/mqtt/acl.ts). Passwords are compared in constant time (as digests, so their
 * lengths do not show either); an unknown user costs the same compare. Refusals are counted and
 * logged once per client, action and topic per minute — never with the password.
 */
export class BrokerGuard {
  private passwords = new Map<string, Buffer>();
  private principals = new Map<string, { principal: Principal; authorizer: Authorizer }>();
  private siteId = '';
  private readonly logged = new Map<string, number>();
  readonly refusals: Refusals = { connect: 0, publish: 0, subscribe: 0, deliver: 0 };

  constructor(
    private readonly options: {
      log: Logger;
      now?: () => number;
      /** Called on every refusal (e.g. a Prometheus counter). */
      onRefusal?: (action: keyof Refusals) => void;
    },
  ) {}

  /** (Re)configures the site's gateways and every principal's password (a reload may add gateways). */
  configure(scope: AclScope, passwords: ReadonlyMap<string, string>): void {
    this.principals = new Map(
      sitePrincipals(scope.gatewayIds).map((p) => [
        p.user,
        { principal: p, authorizer: authorizerFor(p, scope) },
      ]),
    );
    this.passwords = new Map([...passwords].map(([user, pw]) => [user, digest(pw)]));
    this.siteId = scope.siteId;
  }

  /**
   * The principal of `user` if `password` is its password and `client.id` one of its client ids
   * (core/mqtt/acl.ts `clientIdPrefixes`); undefined (and a refusal) otherwise. Checked before the
   * broker looks the id up, so a refused login neither takes over a session nor drops its client.
   */
  authenticate(
    client: { id: string; address?: string },
    user: string | undefined,
    password: Buffer | string | undefined,
  ): Principal | undefined {
    const result = this.login(client, user, password);
    return 'principal' in result ? result.principal : undefined;
  }

  /**
   * `authenticate`, saying what was wrong: `credentials` (user or password) or `client_id` (right
   * credentials, but an id not the principal's), so the broker can answer each with its CONNACK code.
   */
  login(
    client: { id: string; address?: string },
    user: string | undefined,
    password: Buffer | string | undefined,
  ): { principal: Principal } | { refused: 'credentials' | 'client_id' } {
    const expected = user === undefined ? undefined : this.passwords.get(user);
    const given = digest(password === undefined ? '' : password.toString());
    // The compare runs for unknown users too, so a missing user is not faster than a wrong password.
    const same = timingSafeEqual(expected ?? digest('\0no such user'), given);
    const known = user === undefined ? undefined : this.principals.get(user);
    const ok = same && expected !== undefined && password !== undefined && known !== undefined;
    const principals = [...this.principals.values()].map((p) => p.principal);
    const notOwn = ok ? clientIdRefusal(known.principal, client.id, principals, this.siteId) : undefined;
    if (ok && notOwn === undefined) return { principal: known.principal };
    this.refuse('connect', client, user ?? '(anonymous)', {
      user: user ?? '(none)',
      reason: notOwn
        ? notOwn
        : user === undefined
          ? 'no user name'
          : known
            ? 'wrong password'
            : 'unknown user',
    });
    return { refused: notOwn ? 'client_id' : 'credentials' };
  }

  /** Whether `user` may publish on `topic`; a refusal is counted and logged. */
  mayPublish(client: { id: string }, user: string | undefined, topic: string): boolean {
    const ok = this.authorizer(user)?.mayPublish(topic) ?? false;
    if (!ok) this.refuse('publish', client, topic, { user: user ?? '(none)', topic });
    return ok;
  }

  /** Whether `user` may subscribe to `filter`; a refusal is counted and logged. */
  maySubscribe(client: { id: string }, user: string | undefined, filter: string): boolean {
    const ok = this.authorizer(user)?.maySubscribe(filter) ?? false;
    if (!ok) this.refuse('subscribe', client, filter, { user: user ?? '(none)', topic: filter });
    return ok;
  }

  /**
   * Whether a message on `topic` may be delivered to `user`'s client: its subscribe ACL again, at
   * delivery, as a session's queued messages and restored subscriptions pass no subscribe check.
   */
  mayReceive(client: { id: string }, user: string | undefined, topic: string): boolean {
    const ok = this.authorizer(user)?.maySubscribe(topic) ?? false;
    if (!ok) this.refuse('deliver', client, topic, { user: user ?? '(none)', topic });
    return ok;
  }

  private authorizer(user: string | undefined): Authorizer | undefined {
    return user === undefined ? undefined : this.principals.get(user)?.authorizer;
  }

  private refuse(
    action: keyof Refusals,
    client: { id: string; address?: string },
    what: string,
    fields: Record<string, string>,
  ): void {
    this.refusals[action]++;
    this.options.onRefusal?.(action);
    const now = (this.options.now ?? Date.now)();
    const key = `${action}\0${client.id}\0${what}`;
    const last = this.logged.get(key);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    if (this.logged.size >= MAX_REMEMBERED) this.logged.clear();
    this.logged.set(key, now);
    this.options.log.warn(`mqtt ${action} refused`, {
      client_id: client.id,
      ...(client.address ? { address: client.address } : {}),
      ...fields,
    });
  }
}
