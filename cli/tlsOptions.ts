import type { TlsFiles } from '../api/security.ts';
import { JnError } from '../core/errors.ts';
import type { OptionSpec } from './commandSpec.ts';
import { type CommandContext, text } from './context.ts';

/** `--tls-cert` and `--tls-key` of the commands that serve the HTTP API (start, api). */
export const tlsOptionSpecs: OptionSpec[] = [
  {
    name: 'tls-cert',
    arg: 'FILE',
    defaultText: 'none: plain HTTP',
    text: 'Serve the API over HTTPS with this PEM certificate (chain); with --tls-key. The session cookie is then Secure',
  },
  { name: 'tls-key', arg: 'FILE', defaultText: 'none', text: 'PEM private key of --tls-cert' },
];

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
