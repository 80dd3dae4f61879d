import { errorText } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';

/**
 * SIGHUP for a long-running command. Node's default for SIGHUP is to die at once (exit 129, nothing
 * stopped), so the handler is installed before anything starts: while starting, or in a command that
 * does not reload, the signal is logged and ignored; once `onReload` is set it runs — one reload at a
 * time, and a SIGHUP arriving during one runs another after it (the file may have changed again).
 */
export class HangupHandler {
  private reload: (() => Promise<void>) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly listener = () => this.onSignal();

  constructor(
    private readonly command: string,
    private readonly log: Logger,
    /** Whether the command reloads once started (start, gateway) or never (collector, control, sims). */
    private readonly reloads: boolean,
  ) {
    process.on('SIGHUP', this.listener);
  }

  /** From now on SIGHUP runs `reload` (errors are logged, never thrown). */
  onReload(reload: () => Promise<void>): void {
    this.reload = reload;
  }

  /** Waits for a reload in progress (before stopping what it reloads). */
  async settle(): Promise<void> {
    this.reload = undefined;
    await this.running;
  }

  release(): void {
    process.off('SIGHUP', this.listener);
  }

  private onSignal(): void {
    const reload = this.reload;
    if (!reload) {
      this.log.warn(
        this.reloads
          ? `SIGHUP received and ignored: jieneng ${this.command} is still starting (or stopping); send it again once it runs`
          : `SIGHUP received and ignored: jieneng ${this.command} does not reload; restart it to apply a changed configuration`,
      );
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await reload().catch((err: unknown) => this.log.error('reload failed', { error: errorText(err) }));
      } while (this.again && this.reload);
    })().finally(() => {
      this.running = undefined;
    });
  }
}

/** Waits for SIGINT / SIGTERM, then runs `stop`; resolves with the exit code. */
export function untilSignal(stop: () => Promise<void>, log: Logger): Promise<number> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      log.info(`${signal} received, stopping`);
      stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error('stop failed', { error: errorText(err) });
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
