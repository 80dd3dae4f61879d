import { controlRpcTopics } from '../control/rpc.ts';
import { topicPrefix, topics } from '../topics.ts';

/**
 * Who may publish and subscribe what on the broker: one definition, from which both the embedded
 * broker's authorizer (cli/broker.ts) and Mosquitto's ACL file (`jieneng mqtt acl`) are made.
 *
 * A pattern is an MQTT filter (`+`, `#`) in which `%gateway%` stands for a gateway id: in a
 * gateway's own rules it is that gateway (a gateway reaches only its own topics); in the rules of
 * the platform's principals it is each gateway of the site in turn (a broker may carry other sites).
 * `%site%` stands for the site's id. Adding a topic is one line in `aclRules`.
 */
export const gatewayPlaceholder = '%gateway%';
/** Stands for the site id in a pattern. */
export const sitePlaceholder = '%site%';

/** The kinds of MQTT principals; each gateway is its own principal (`gateway-<id>`). */
export type PrincipalKind = 'gateway' | 'collector' | 'control' | 'api' | 'alarms';

/** What one principal may publish and subscribe to (patterns; see `gatewayPlaceholder`). */
export interface AclRule {
  publish: readonly string[];
  subscribe: readonly string[];
}

const gw = gatewayPlaceholder;
const site = sitePlaceholder;

/** The ACL as data: principal kind → publish and subscribe patterns (core/topics.ts builds every topic). */
export const aclRules: Record<PrincipalKind, AclRule> = {
  gateway: {
    publish: [
      topics.telemetry(gw),
      topics.availability(gw), // also its last will
      topics.deviceAvailability(gw, '+'),
      topics.progress(gw),
      topics.commandResult(gw),
    ],
    // `stored`: the collectors' acknowledgements, which let the gateway's spool go.
    subscribe: [topics.command(gw), topics.stored(gw)],
  },
  collector: {
    // conditions: store write failures, gateways it cannot hear (the alarm service raises them).
    publish: [topics.stored(gw), topics.conditions('collector', '+')],
    subscribe: [topics.telemetry(gw), topics.availability(gw), topics.progress(gw), topics.stored(gw)],
  },
  control: {
    // controlPoints: each change of a point's value in effect, for the API's event stream.
    publish: [
      topics.command(gw),
      topics.conditions('control', '+'),
      topics.controlPoints(site),
      controlRpcTopics.replies(site),
    ],
    subscribe: [topics.telemetry(gw), topics.commandResult(gw), controlRpcTopics.requests(site)],
  },
  api: {
    // `jieneng api` reaches control over MQTT 5 request/response (core/control/rpc.ts).
    publish: [controlRpcTopics.requests(site)],
    subscribe: [
      // The API subscribes with wildcards (api/availability.ts).
      `${topicPrefix}/+/availability`,
      `${topicPrefix}/+/devices/+/availability`,
      controlRpcTopics.replies(site),
      // The event stream (api/events.ts): readings, point changes and alarms.
      ...[topics.telemetry(gw), topics.controlPoints(site), topics.alarmEvents],
    ],
  },
  alarms: {
    // Each transition, and each open alarm retained (`jn/v1/alarms/open/<id>`) for whoever watches the broker.
    // And the notifications of routes with an mqtt channel (`jn/v1/alarms/notifications/<route>`).
    publish: [topics.alarmEvents, `${topicPrefix}/alarms/open/+`, topics.alarmNotifications('+')],
    subscribe: [
      topics.telemetry(gw),
      topics.availability(gw),
      topics.deviceAvailability(gw, '+'),
      `${topicPrefix}/conditions/+/+`,
    ],
  },
};

/** One MQTT principal of a site: its user name, its kind and, for a gateway, its id. */
export interface Principal {
  user: string;
  kind: PrincipalKind;
  gateway?: string;
}

/** The MQTT user name of gateway `id`. */
export function gatewayUser(id: string): string {
  return `gateway-${id}`;
}

/** Every principal of a site with these gateways: one per gateway, then collector, control, api. */
export function sitePrincipals(gatewayIds: readonly string[]): Principal[] {
  return [
    ...gatewayIds.map((id) => ({ user: gatewayUser(id), kind: 'gateway' as const, gateway: id })),
    { user: 'collector', kind: 'collector' },
    { user: 'control', kind: 'control' },
    { user: 'api', kind: 'api' },
    { user: 'alarms', kind: 'alarms' },
  ];
}

/**
 * The client ids of each principal, as data beside the ACL: a principal connects as its prefix, or
 * its prefix followed by `-` and anything (with `%gateway%` and `%site%` as in `aclRules`). The
 * embedded broker refuses a login under another principal's id: a broker hands a client id's
 * session (its subscriptions and queued messages) to whoever connects with it and drops the client
 * that held it, so a guessable id would otherwise let a principal read another's queue or cut it off.
 * Mosquitto cannot check this per user (core/mqtt/README.md).
 */
export const clientIdPrefixes: Record<PrincipalKind, string> = {
  // gateway/publisher.ts
  gateway: `jn-gateway-${gw}`,
  // collector/main.ts, cli/services.ts: `-<host>`, `-<n>` for several connections
  collector: `jn-collector-${site}`,
  // control/main.ts: `-<pid>`
  control: `jn-control-${site}`,
  // api/availability.ts, api/events.ts, api/controlClient.ts: `-<pid>-…`, `-stream-…`, `-<site>-…`
  api: 'jn-api',
  // alarms/main.ts: `-<pid>`
  alarms: `jn-alarms-${site}`,
};

/** The client id prefix of `principal` on site `siteId`. */
export function clientIdPrefix(principal: Principal, siteId: string): string {
  return clientIdPrefixes[principal.kind]
    .split(site)
    .join(siteId)
    .split(gw)
    .join(principal.gateway ?? gw);
}

/** Whether `clientId` is `prefix` or `prefix-…`. */
export function hasClientIdPrefix(clientId: string, prefix: string): boolean {
  return clientId === prefix || (clientId.startsWith(`${prefix}-`) && clientId.length > prefix.length + 1);
}

/**
 * The principal whose client id `clientId` is, the longest prefix winning: `jn-gateway-gw-a-2` is
 * gateway gw-a-2's when the site has one (else gw-a's), so no gateway can take another's id.
 */
export function clientIdOwner(
  clientId: string,
  principals: readonly Principal[],
  siteId: string,
): Principal | undefined {
  let owner: Principal | undefined;
  let longest = -1;
  for (const p of principals) {
    const prefix = clientIdPrefix(p, siteId);
    if (prefix.length > longest && hasClientIdPrefix(clientId, prefix)) {
      owner = p;
      longest = prefix.length;
    }
  }
  return owner;
}

/** The site an ACL is made for: its id and its gateways. */
export interface AclScope {
  siteId: string;
  gatewayIds: readonly string[];
}

/** A principal's rules with `%gateway%` and `%site%` replaced: only `+` and `#` are left. */
export function expandRule(principal: Principal, scope: AclScope): AclRule {
  const rule = aclRules[principal.kind];
  const ids = principal.gateway === undefined ? scope.gatewayIds : [principal.gateway];
  const expand = (patterns: readonly string[]) => [
    ...new Set(
      patterns
        .map((p) => p.split(site).join(scope.siteId))
        .flatMap((p) => (p.includes(gw) ? ids.map((id) => p.split(gw).join(id)) : [p])),
    ),
  ];
  return { publish: expand(rule.publish), subscribe: expand(rule.subscribe) };
}

/**
 * Whether every topic that `filter` matches is also matched by `pattern` — so a subscription to
 * `filter` cannot receive anything the pattern does not allow (for a topic without wildcards: whether
 * the pattern matches it). `$share/<group>/` is taken off first.
 */
export function filterCovers(pattern: string, filter: string): boolean {
  const p = pattern.split('/');
  const f = unshared(filter).split('/');
  for (let i = 0; i < p.length; i++) {
    const ps = p[i];
    if (ps === '#') return true;
    const fs = f[i];
    if (fs === undefined || fs === '#') return false;
    if (ps === '+') continue;
    if (ps !== fs) return false; // a `+` in the filter is covered only by `+` or `#`
  }
  return f.length === p.length;
}

/** The filter of a shared subscription (`$share/<group>/<filter>`), else `filter` itself. */
export function unshared(filter: string): string {
  const m = /^\$share\/[^/]+\/(.*)$/.exec(filter);
  return m?.[1] ?? filter;
}

/** What a principal may do, checked topic by topic (made once per principal). */
export interface Authorizer {
  mayPublish(topic: string): boolean;
  maySubscribe(filter: string): boolean;
}

/** The authorizer of `principal` on the site. */
export function authorizerFor(principal: Principal, scope: AclScope): Authorizer {
  const rule = expandRule(principal, scope);
  return {
    // `$` topics ($SYS) are the broker's; no principal publishes there.
    mayPublish: (topic) => !topic.startsWith('$') && rule.publish.some((p) => filterCovers(p, topic)),
    maySubscribe: (filter) => rule.subscribe.some((p) => filterCovers(p, filter)),
  };
}
