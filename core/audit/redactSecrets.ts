/**
 * Secrets never reach the audit log: a value under a key that names one (password, secret, a
 * token's value, csrf, authorization, cookie) becomes `[redacted]`, at any depth. A token's *id*
 * names which token, not what it is, and is kept (`token_id`, `tokenId`).
 */

const secretKey = /password|passwd|secret|csrf|authorization|cookie|api_?key|token/i;
const keptKey = /^token_?id$|^token_?name$/i;

/** Whether the value under `key` is a secret the audit log must not store. */
export function isSecretKey(key: string): boolean {
  return secretKey.test(key) && !keptKey.test(key);
}

/** A copy of `value` (JSON-like) with every secret-named key's value replaced by `[redacted]`. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    if (value instanceof Date) return value.toISOString();
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, isSecretKey(k) ? '[redacted]' : redactSecrets(v)]),
    );
  }
  return value;
}

/** JSON with object keys sorted at every depth: the same value always gives the same text (hashing). */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
