/**
 * The one error type of jieneng. `code` is a stable snake_case identifier that callers and the
 * REST layer map on; `message` quotes the entity it is about and says what is allowed or what to do.
 */
export class JnError extends Error {
  readonly code: string;
  readonly context: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    options: { context?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JnError';
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** The message of anything thrown, for logs: JnError and Error keep their text, the rest is stringified. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
