import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** sha256 of a high-entropy secret, hex: what auth.db keeps instead of a session id or token secret. */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** `bytes` random bytes as base64url (32 bytes: 43 characters). */
export const randomText = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Equal strings, compared in constant time (for secrets and their hashes). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A session's CSRF token, derived from its id (HMAC) so that nothing more is stored: only the
 * holder of the session cookie can know it, and a cross-site page can read neither.
 */
export const csrfTokenOf = (sessionId: string): string =>
  createHmac('sha256', sessionId).update('jieneng csrf token').digest('base64url');
