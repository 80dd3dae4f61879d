import type { Logger } from './log.ts';

/**
 * Logs a dependency's outage (the broker, the store) as one line when it goes away — with what is
 * being done meanwhile — and one line when it is back, with how long it was gone and how many
 * errors it gave meanwhile; the errors in between are counted, not logged (issue 13 §5: a 32 s
 * broker outage gave 248 ECONNREFUSED warnings). One instance may be shared by several
 * connections to the same dependency.
 */
export class OutageLog {
  private downSince: number | undefined;
  private errorsDuring = 0;
  /** Errors over the whole run. */
  errors = 0;

  constructor(
    private readonly ctx: {
      log: Logger;
      /** What went away, e.g. "mqtt broker mqtt://127.0.0.1:1883". */
      what: string;
      /** What is done while it is away, e.g. "telemetry is spooled until it returns". */
      meanwhile: string;
      /** How its going away is said (default "unreachable"), e.g. "write failed". */
      failure?: string;
      /** How its return is said (default "is back"). */
      recovery?: string;
      /** Level of the line that says it went away (default warn). */
      level?: 'warn' | 'error';
      /** Fields on both lines (which store, which URL). */
      fields?: Record<string, unknown>;
      now?: () => number;
    },
  ) {}

  get down(): boolean {
    return this.downSince !== undefined;
  }

  /** An error from the dependency: the first of an outage is logged, the rest counted. */
  fail(error: string): void {
    this.errors++;
    this.errorsDuring++;
    if (this.downSince !== undefined) return;
    this.downSince = (this.ctx.now ?? Date.now)();
    const failure = this.ctx.failure ?? 'unreachable';
    this.ctx.log[this.ctx.level ?? 'warn'](`${this.ctx.what} ${failure}; ${this.ctx.meanwhile}`, {
      ...this.ctx.fields,
      error,
    });
  }

  /** The dependency answered again: ends the outage (logged once) if there was one. */
  ok(): void {
    if (this.downSince === undefined) return;
    const seconds = Math.round(((this.ctx.now ?? Date.now)() - this.downSince) / 100) / 10;
    this.ctx.log.info(`${this.ctx.what} ${this.ctx.recovery ?? 'is back'}`, {
      ...this.ctx.fields,
      outage_s: seconds,
      errors: this.errorsDuring,
    });
    this.downSince = undefined;
    this.errorsDuring = 0;
  }
}
