import { describe, expect, it } from 'vitest';
import type { Command, SignedCommand } from '../core/commands.ts';
import { generateCommandKey, signCommand } from '../core/control/commandSignature.ts';
import { createLogger } from '../core/log.ts';
import { CommandGuard, RefusalLog } from './commandGuard.ts';

const T0 = Date.parse('2026-12-02T03:00:00Z');
const key = generateCommandKey();
const command = (id = 'c1', value = 1): Command => ({
  id,
  device: 'ahu-1',
  point: 'on_off',
  value,
  requested_by: 'schedule:office',
  sent_at: '2026-12-02T11:00:00+08:00',
});

function guard(now = { t: T0 }, maxNonces?: number) {
  return {
    now,
    guard: new CommandGuard({
      gatewayId: 'gw-1',
      key,
      now: () => now.t,
      ...(maxNonces ? { maxNonces } : {}),
    }),
  };
}
const sign = (cmd: Command, issuedAt = T0, k = key, gateway = 'gw-1') =>
  signCommand(cmd, { gateway, key: k, issuedAt });

describe('command signature and guard', () => {
  it('accepts a command signed by control with the gateway key, once', () => {
    const { guard: g } = guard();
    const signed = sign(command());
    expect(g.verify(signed)).toEqual({ ok: true });
    expect(g.verify(signed)).toMatchObject({ ok: false, refusal: 'replay' });
  });

  it.each<[string, (c: SignedCommand) => SignedCommand]>([
    ['value', (c) => ({ ...c, value: 0 })],
    ['device', (c) => ({ ...c, device: 'ahu-2' })],
    ['point', (c) => ({ ...c, point: 'mode' })],
    ['id', (c) => ({ ...c, id: 'c2' })],
    ['requested_by', (c) => ({ ...c, requested_by: 'user:admin' })],
    [
      'issued_at',
      (c) => ({ ...c, signature: { ...c.signature, issued_at: new Date(T0 + 1000).toISOString() } }),
    ],
    ['nonce', (c) => ({ ...c, signature: { ...c.signature, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' } })],
    ['hmac', (c) => ({ ...c, signature: { ...c.signature, hmac: `${c.signature.hmac.slice(0, -2)}AA` } })],
    ['hmac length', (c) => ({ ...c, signature: { ...c.signature, hmac: 'AA' } })],
  ])('refuses a command whose %s was changed after signing', (_field, tamper) => {
    const { guard: g } = guard();
    const verdict = g.verify(tamper(sign(command())));
    expect(verdict).toEqual({
      ok: false,
      refusal: 'signature',
      reason: `signature does not verify with gateway "gw-1"'s command key`,
    });
    expect(g.remembered).toBe(0); // a forger's nonces take no memory
  });

  it('refuses another key, another gateway, another version, and a gateway without a key', () => {
    const { guard: g } = guard();
    expect(g.verify(sign(command(), T0, generateCommandKey()))).toMatchObject({ refusal: 'signature' });
    expect(g.verify(sign(command(), T0, key, 'gw-2'))).toMatchObject({
      refusal: 'signature',
      reason: 'signed for gateway "gw-2", not "gw-1"',
    });
    const v2 = sign(command());
    expect(g.verify({ ...v2, signature: { ...v2.signature, version: 2 } })).toMatchObject({
      refusal: 'signature',
      reason: 'signature version 2 is not supported; gateway "gw-1" accepts version 1',
    });
    const keyless = new CommandGuard({ gatewayId: 'gw-1', now: () => T0 });
    expect(keyless.armed).toBe(false);
    expect(keyless.verify(sign(command()))).toMatchObject({ refusal: 'no_key' });
  });

  it('refuses a timestamp more than 5 min either way, and one from before the gateway started', () => {
    const now = { t: T0 + 10 * 60_000 };
    const { guard: g } = guard(now);
    const late = sign(command('late'), now.t - 5 * 60_000 - 1);
    expect(g.verify(late)).toMatchObject({ refusal: 'stale' });
    expect(g.verify(sign(command('early'), now.t + 5 * 60_000 + 1))).toMatchObject({ refusal: 'stale' });
    expect(g.verify(sign(command('edge'), now.t + 5 * 60_000))).toEqual({ ok: true });
    expect(g.verify(sign(command('before-start'), now.t - 1000))).toMatchObject({
      refusal: 'stale',
      reason: expect.stringContaining('when gateway "gw-1" started'),
    });
  });

  it('keeps at most maxNonces and refuses what was issued before the ones it let go', () => {
    const now = { t: T0 };
    const { guard: g } = guard(now, 3);
    const sent = [0, 1, 2, 3, 4].map((i) => sign(command(`c${i}`), T0 + i * 1000));
    now.t = T0 + 5000;
    for (const c of sent) expect(g.verify(c)).toEqual({ ok: true });
    expect(g.remembered).toBe(3);
    // c0 and c1 were forgotten: their replay is refused all the same, as stale.
    expect(g.verify(sent[0] as SignedCommand)).toMatchObject({ refusal: 'stale' });
    expect(g.verify(sent[1] as SignedCommand)).toMatchObject({ refusal: 'stale' });
    expect(g.verify(sent[4] as SignedCommand)).toMatchObject({ refusal: 'replay' });
    // Expired nonces go by themselves.
    now.t = T0 + 11 * 60_000;
    g.verify(sign(command('later'), now.t));
    expect(g.remembered).toBe(1);
  });
});

describe('refusal log', () => {
  it('logs a reason once a minute, with how many were held back', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', sink: { write: (line) => lines.push(line) } });
    const now = { t: 0 };
    const refusals = new RefusalLog(log, () => now.t);
    for (let i = 0; i < 50; i++) refusals.note('signature', { id: `f${i}` });
    refusals.note('unsigned', { id: 'u1' });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/command refused refused=signature id=f0 held_back=0\n$/);
    expect(lines[1]).toMatch(/command refused refused=unsigned id=u1 held_back=0\n$/);
    now.t = 60_000;
    refusals.note('signature', { id: 'f50' });
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/command refused refused=signature id=f50 held_back=49\n$/);
  });
});
