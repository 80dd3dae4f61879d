import { describe, expect, it } from 'vitest';
import { topics } from '../topics.ts';
import { aclRules, authorizerFor, expandRule, filterCovers, sitePrincipals } from './acl.ts';

const ids = ['gw-a', 'gw-b'];
const scope = { siteId: 'hq', gatewayIds: ids };
const principal = (user: string) => {
  const p = sitePrincipals(ids).find((x) => x.user === user);
  if (!p) throw new Error(user);
  return p;
};

describe('filterCovers', () => {
  it.each([
    ['jn/v1/+/availability', 'jn/v1/gw-a/availability', true],
    ['jn/v1/+/availability', 'jn/v1/+/availability', true],
    ['jn/v1/gw-a/availability', 'jn/v1/+/availability', false],
    ['jn/v1/#', 'jn/v1/gw-a/devices/x/availability', true],
    ['jn/v1/+/availability', 'jn/v1/#', false],
    ['jn/v1/gw-a/telemetry', 'jn/v1/gw-a/telemetry/x', false],
    ['jn/v1/gw-a/telemetry', '$share/group/jn/v1/gw-a/telemetry', true],
    ['jn/v1/gw-a/telemetry', 'jn/v1/gw-a', false],
  ])('%s covers %s: %s', (pattern, filter, expected) => {
    expect(filterCovers(pattern, filter)).toBe(expected);
  });
});

describe('the ACL', () => {
  it('lets a gateway publish only its own topics and read only its own commands and acknowledgements', () => {
    const a = authorizerFor(principal('gateway-gw-a'), scope);
    for (const t of [
      topics.telemetry('gw-a'),
      topics.availability('gw-a'),
      topics.deviceAvailability('gw-a', 'meter-1'),
      topics.progress('gw-a'),
      topics.commandResult('gw-a'),
    ])
      expect(a.mayPublish(t), t).toBe(true);
    for (const t of [
      topics.telemetry('gw-b'),
      topics.command('gw-a'),
      topics.stored('gw-a'),
      topics.alarmEvents,
    ])
      expect(a.mayPublish(t), t).toBe(false);
    expect(a.maySubscribe(topics.command('gw-a'))).toBe(true);
    expect(a.maySubscribe(topics.stored('gw-a'))).toBe(true);
    expect(a.maySubscribe(topics.command('gw-b'))).toBe(false);
    expect(a.maySubscribe('jn/v1/+/command')).toBe(false);
    expect(a.maySubscribe('#')).toBe(false);
  });

  it('lets only control publish commands', () => {
    for (const p of sitePrincipals(ids))
      expect(authorizerFor(p, scope).mayPublish(topics.command('gw-b')), p.user).toBe(p.user === 'control');
  });

  it('lets the collector read every gateway of the site, shared or not, and confirm what it stored', () => {
    const c = authorizerFor(principal('collector'), scope);
    expect(c.maySubscribe(`$share/jn/${topics.telemetry('gw-b')}`)).toBe(true);
    expect(c.maySubscribe(topics.telemetry('gw-other-site'))).toBe(false);
    expect(c.mayPublish(topics.stored('gw-a'))).toBe(true);
    expect(c.mayPublish(topics.telemetry('gw-a'))).toBe(false);
  });

  it('has the API read availability by wildcard, the event stream’s topics, and ask control over RPC, nothing else', () => {
    const api = authorizerFor(principal('api'), scope);
    expect(api.maySubscribe('jn/v1/+/devices/+/availability')).toBe(true);
    expect(api.maySubscribe(topics.telemetry('gw-a'))).toBe(true); // the event stream's readings
    expect(api.maySubscribe(topics.telemetry('gw-other-site'))).toBe(false);
    expect(api.maySubscribe(topics.controlPoints('hq'))).toBe(true);
    expect(api.maySubscribe(topics.controlPoints('other-site'))).toBe(false);
    expect(api.mayPublish(topics.controlPoints('hq'))).toBe(false);
    expect(api.mayPublish(topics.command('gw-a'))).toBe(false);
    expect(api.mayPublish('jn/v1/control/hq/rpc')).toBe(true);
    expect(api.maySubscribe('jn/v1/control/hq/rpc/reply/jn-api-1')).toBe(true);
    expect(api.maySubscribe('jn/v1/control/other-site/rpc/reply/jn-api-1')).toBe(false);
  });

  it('expands %gateway% to the gateway itself or to each gateway of the site', () => {
    expect(expandRule(principal('gateway-gw-b'), scope).subscribe).toEqual([
      'jn/v1/gw-b/command',
      'jn/v1/gw-b/stored',
    ]);
    expect(expandRule(principal('control'), scope).publish).toEqual([
      'jn/v1/gw-a/command',
      'jn/v1/gw-b/command',
      'jn/v1/conditions/control/+',
      'jn/v1/control/hq/points',
      'jn/v1/control/hq/rpc/reply/+',
    ]);
    expect(aclRules.api.publish).toEqual(['jn/v1/control/%site%/rpc']);
  });
});
