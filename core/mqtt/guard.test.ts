import { describe, expect, it } from 'vitest';
import { createLogger } from '../log.ts';
import { BrokerGuard } from './guard.ts';

function guard() {
  const lines: string[] = [];
  let now = 0;
  const g = new BrokerGuard({ log: createLogger({ sink: { write: (l) => lines.push(l) } }), now: () => now });
  g.configure(
    { siteId: 'hq', gatewayIds: ['gw-a'] },
    new Map([
      ['gateway-gw-a', 'right-password-1'],
      ['collector', 'right-password-2'],
    ]),
  );
  return { g, lines, advance: (ms: number) => (now += ms) };
}

describe('BrokerGuard', () => {
  it('lets in a principal with its password only, and never logs a password', () => {
    const { g, lines } = guard();
    const client = { id: 'jn-gateway-gw-a', address: '127.0.0.1' };
    expect(g.authenticate(client, 'gateway-gw-a', Buffer.from('right-password-1'))?.gateway).toBe('gw-a');
    expect(g.authenticate(client, 'gateway-gw-a', Buffer.from('right-password-2'))).toBeUndefined();
    expect(g.authenticate(client, 'collector', undefined)).toBeUndefined();
    expect(g.authenticate(client, 'nobody', Buffer.from('right-password-1'))).toBeUndefined();
    expect(g.authenticate(client, undefined, undefined)).toBeUndefined();
    // A password of a user the site does not have (api has none here) lets nobody in.
    expect(g.authenticate(client, 'api', Buffer.from(''))).toBeUndefined();
    expect(g.refusals.connect).toBe(5);
    const text = lines.join('');
    expect(text).toMatch(
      /mqtt connect refused client_id=jn-gateway-gw-a address=127\.0\.0\.1 user=gateway-gw-a reason="wrong password"/,
    );
    expect(text).toMatch(/user=nobody reason="unknown user"/);
    expect(text).not.toContain('right-password');
  });

  it('logs a refusal once per client and topic per minute, and counts every one', () => {
    const { g, lines, advance } = guard();
    const client = { id: 'gw' };
    for (let i = 0; i < 5; i++)
      expect(g.mayPublish(client, 'gateway-gw-a', 'jn/v1/gw-b/telemetry')).toBe(false);
    expect(g.mayPublish(client, 'gateway-gw-a', 'jn/v1/gw-a/command')).toBe(false);
    expect(g.refusals.publish).toBe(6);
    expect(lines).toHaveLength(2);
    advance(60_000);
    g.mayPublish(client, 'gateway-gw-a', 'jn/v1/gw-b/telemetry');
    expect(lines).toHaveLength(3);
    expect(g.mayPublish(client, 'gateway-gw-a', 'jn/v1/gw-a/telemetry')).toBe(true);
    expect(g.maySubscribe(client, undefined, 'jn/v1/gw-a/command')).toBe(false);
  });

  it("refuses a principal under another's client id or one that is no principal's, and lets it in under its own", () => {
    const { g, lines } = guard();
    const collector = Buffer.from('right-password-2');
    const gwA = Buffer.from('right-password-1');
    expect(g.authenticate({ id: 'jn-gateway-gw-a' }, 'collector', collector)).toBeUndefined();
    expect(g.authenticate({ id: 'jn-collector-hq' }, 'gateway-gw-a', gwA)).toBeUndefined();
    expect(g.authenticate({ id: 'mqttjs_1f2e3d' }, 'gateway-gw-a', gwA)).toBeUndefined();
    expect(g.refusals.connect).toBe(3);
    const text = lines.join('');
    expect(text).toMatch(
      /user=collector reason="client id \\"jn-gateway-gw-a\\" is gateway-gw-a's: collector connects as jn-collector-hq or jn-collector-hq-…"/,
    );
    expect(text).toMatch(
      /client id \\"jn-collector-hq\\" is collector's: gateway-gw-a connects as jn-gateway-gw-a/,
    );
    expect(text).toMatch(/client id \\"mqttjs_1f2e3d\\" is no principal's/);
    expect(g.authenticate({ id: 'jn-gateway-gw-a' }, 'gateway-gw-a', gwA)?.user).toBe('gateway-gw-a');
    expect(g.authenticate({ id: 'jn-collector-hq' }, 'collector', collector)?.user).toBe('collector');
    expect(g.authenticate({ id: 'jn-collector-hq-host-2' }, 'collector', collector)?.user).toBe('collector');
  });

  it("gives a gateway whose id starts with another's its ids: the longest prefix owns an id", () => {
    const g = new BrokerGuard({ log: createLogger({ sink: { write: () => {} } }) });
    const pw = new Map([
      ['gateway-gw-a', 'right-password-1'],
      ['gateway-gw-a-2', 'right-password-3'],
    ]);
    g.configure({ siteId: 'hq', gatewayIds: ['gw-a', 'gw-a-2'] }, pw);
    const a = Buffer.from('right-password-1');
    expect(g.authenticate({ id: 'jn-gateway-gw-a-2' }, 'gateway-gw-a', a)).toBeUndefined();
    expect(g.authenticate({ id: 'jn-gateway-gw-a-2-x' }, 'gateway-gw-a', a)).toBeUndefined();
    expect(g.authenticate({ id: 'jn-gateway-gw-a-x' }, 'gateway-gw-a', a)?.user).toBe('gateway-gw-a');
    expect(
      g.authenticate({ id: 'jn-gateway-gw-a-2' }, 'gateway-gw-a-2', Buffer.from('right-password-3'))?.user,
    ).toBe('gateway-gw-a-2');
  });

  it('delivers a client only what its subscribe ACL allows, counting what it drops', () => {
    const { g } = guard();
    const client = { id: 'jn-gateway-gw-a' };
    expect(g.mayReceive(client, 'gateway-gw-a', 'jn/v1/gw-a/command')).toBe(true);
    expect(g.mayReceive(client, 'gateway-gw-a', 'jn/v1/gw-b/telemetry')).toBe(false);
    expect(g.mayReceive({ id: 'jn-collector-hq' }, 'collector', 'jn/v1/gw-a/telemetry')).toBe(true);
    expect(g.mayReceive(client, undefined, 'jn/v1/gw-a/command')).toBe(false);
    expect(g.refusals.deliver).toBe(2);
  });
});
