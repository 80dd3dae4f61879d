/**
 * Credentials never leave the process in a log line, a printed status or an API response: every
 * `scheme://user:password@` in a text becomes `scheme://user:***@`. Used by the logger on every line
 * and by whatever prints or serves a broker or database URL (MQTT, InfluxDB).
 */

// The password runs to the last `@` before the path or whitespace, so an unencoded `@` in it is
// hidden too; a URL without a password (`mqtt://host:1883/x@y`) is left alone.
const userinfo = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:@/]*):[^\s/]*@/gi;

/** `text` with the password of every URL in it replaced by `***` (the user name is kept). */
export function redactCredentials(text: string): string {
  return text.replace(userinfo, '$1$2:***@');
}

/**
 * Keys whose values are secrets whatever they look like (an MQTT password, the secrets file's
 * command keys): `redactDeep` shows them as `***`.
 */
export const secretKeys: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'secret',
  'command_key',
  'command_keys',
  'commandKey',
  'commandKeys',
]);

/**
 * A copy of `value` (JSON-like) with every string in it redacted and the value of every key in
 * `secretKeys` replaced by `***`; for status and health documents.
 */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactCredentials(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, secretKeys.has(k) ? '***' : redactDeep(v)]),
    ) as T;
  return value;
}
