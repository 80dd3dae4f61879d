import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Command, CommandSignature, SignedCommand } from '../commands.ts';

/** The signature scheme this code writes and accepts (`signature.version`). */
export const COMMAND_SIGNATURE_VERSION = 1;

/**
 * How far a command's `issued_at` may be from the gateway's clock, either way: 5 min, ms. Wide
 * enough for hosts whose clocks drift between NTP corrections and for a command retried for 30 s;
 * narrow enough that the nonces of one window are few to remember.
 */
export const COMMAND_FRESHNESS_MS = 5 * 60_000;

/** Smallest key accepted, bytes: HMAC-SHA256 keys shorter than the hash weaken it. */
export const COMMAND_KEY_MIN_BYTES = 32;

/**
 * The bytes the HMAC covers: every field of the command and of the signature except the MAC,
 * as a JSON array in a fixed order (absent optional fields are null). JSON string escaping makes
 * the encoding unambiguous: no field can run into the next.
 */
export function canonicalCommand(cmd: Command, sig: Omit<CommandSignature, 'hmac'>): Buffer {
  return Buffer.from(
    JSON.stringify([
      'jn-command',
      sig.version,
      sig.gateway,
      sig.issued_at,
      sig.nonce,
      cmd.id,
      cmd.device,
      cmd.point,
      cmd.value,
      cmd.requested_by ?? null,
      cmd.sent_at,
    ]),
    'utf8',
  );
}

const mac = (key: Buffer, cmd: Command, sig: Omit<CommandSignature, 'hmac'>) =>
  createHmac('sha256', key).update(canonicalCommand(cmd, sig)).digest();

/**
 * Signs `cmd` for `gateway` with that gateway's key. `issuedAt` is real time (epoch ms, the host's
 * clock, not an accelerated simulation clock: the freshness window is about real seconds).
 */
export function signCommand(
  cmd: Command,
  options: { gateway: string; key: Buffer; issuedAt: number; nonce?: string },
): SignedCommand {
  const sig = {
    version: COMMAND_SIGNATURE_VERSION,
    gateway: options.gateway,
    issued_at: new Date(options.issuedAt).toISOString(),
    nonce: options.nonce ?? randomBytes(16).toString('base64url'),
  };
  return { ...cmd, signature: { ...sig, hmac: mac(options.key, cmd, sig).toString('base64url') } };
}

/** Whether the command's MAC is the one `key` gives (constant-time comparison). */
export function signatureValid(cmd: SignedCommand, key: Buffer): boolean {
  const { hmac, ...sig } = cmd.signature;
  const given = Buffer.from(hmac, 'base64url');
  const expected = mac(key, cmd, sig);
  // timingSafeEqual throws on different lengths; a wrong length is simply not the MAC.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A fresh random key for one gateway (32 bytes), e.g. for an all-in-one start without a secrets file. */
export function generateCommandKey(): Buffer {
  return randomBytes(COMMAND_KEY_MIN_BYTES);
}
