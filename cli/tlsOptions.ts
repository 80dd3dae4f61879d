import { isIP } from 'node:net';
import type { TlsFiles } from '../api/security.ts';
import { JnError } from '../core/errors.ts';
import type { OptionSpec } from './commandSpec.ts';
import { type CommandContext, text } from './context.ts';

/**
 * How the commands that serve the HTTP API (start, api) are reached: `--tls-cert` and `--tls-key`,
 * and `--trust-proxy` for the reverse proxy (nginx) that terminates TLS in front of them.
 */
export const tlsOptionSpecs: OptionSpec[] = [
  {
    name: 'tls-cert',
    arg: 'FILE',
    defaultText: 'none: plain HTTP',
    text: 'Serve the API over HTTPS with this PEM certificate (chain); with --tls-key. The session cookie is then Secure',
  },
  { name: 'tls-key', arg: 'FILE', defaultText: 'none', text: 'PEM private key of --tls-cert' },
  {
    name: 'trust-proxy',
    arg: 'VALUE',
    defaultText: 'none: the client address is the connecting one',
    text: 'Behind a reverse proxy: take the client address from X-Forwarded-For when the request comes from it — loopback (nginx on this host), linklocal, uniquelocal, addresses or subnets (10.0.0.5,10.0.0.0/8), or a number of proxy hops. Login limits and the audit then see the real addresses',
  },
];

const proxyNames = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** A subnet as Express's `trust proxy` takes it: an address, or address/prefix length. */
function isSubnet(v: string): boolean {
  const [address = '', bits, extra] = v.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/**
 * `--trust-proxy` as Express's `trust proxy` setting (a hop count or a list of names and
 * subnets), or undefined. "true" (trust every hop) is refused: any client could then name its own
 * address in X-Forwarded-For and walk past the per-address login limit.
 */
export function trustProxyOf(ctx: CommandContext): string | number | undefined {
  const given = text(ctx, 'trust-proxy');
  if (given === undefined) return undefined;
  const v = given.trim();
  if (/^\d{1,2}$/.test(v) && Number(v) >= 1) return Number(v);
  const parts = v.split(',').map((p) => p.trim());
  const bad = parts.filter((p) => !proxyNames.has(p) && !isSubnet(p));
  if (v !== '' && bad.length === 0) return parts.join(',');
  throw new JnError(
    'usage',
    `--trust-proxy ${given}: ${bad.length > 0 && v !== '' ? `"${bad.join('", "')}" is not ` : 'give '}loopback, linklocal, uniquelocal, an address or subnet (10.0.0.0/8), a comma-separated list of them, or a number of proxy hops 1–99${v === 'true' ? ' ("true" would let any client choose its own address)' : ''}`,
  );
}

/** The HTTPS files given, or undefined for plain HTTP; one without the other is a usage error. */
export function tlsOf(ctx: CommandContext): TlsFiles | undefined {
  const cert = text(ctx, 'tls-cert');
  const key = text(ctx, 'tls-key');
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined)
    throw new JnError(
      'usage',
      `--${cert === undefined ? 'tls-key' : 'tls-cert'} needs --${cert === undefined ? 'tls-cert' : 'tls-key'} too: HTTPS takes a certificate and its key`,
    );
  return { cert, key };
}
