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
    const client = { id: 'c1', address: '127.0.0.1' };
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
      /mqtt connect refused client_id=c1 address=127\.0\.0\.1 user=gateway-gw-a reason="wrong password"/,
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

  it("refuses another principal under a gateway's client id, which would cut that gateway off", () => {
    const { g, lines } = guard();
    const pw = Buffer.from('right-password-2');
    expect(g.authenticate({ id: 'jn-gateway-gw-a' }, 'collector', pw)).toBeUndefined();
    expect(lines.join('')).toMatch(
      /client id \\"jn-gateway-gw-a\\" is a gateway's: only gateway-gw-a may use it/,
    );
    expect(
      g.authenticate({ id: 'jn-gateway-gw-a' }, 'gateway-gw-a', Buffer.from('right-password-1'))?.user,
    ).toBe('gateway-gw-a');
    expect(g.authenticate({ id: 'jn-collector-hq' }, 'collector', pw)?.user).toBe('collector');
  });
});
