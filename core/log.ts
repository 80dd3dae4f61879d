import { redactCredentials } from './redact.ts';

/**
 * Logging: one line per event, `time level [service] message key=value…`, to stderr so that
 * stdout stays for command output. A service gets a Logger in its context, never a global one.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(service: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  if (v instanceof Error) return JSON.stringify(v.message);
  return JSON.stringify(v) ?? 'undefined';
}

/** A logger writing human-readable lines; `level` drops everything below it (default info, or $JN_LOG_LEVEL). */
export function createLogger(
  options: { service?: string; level?: LogLevel; sink?: LogSink; now?: () => number } = {},
): Logger {
  const envLevel = process.env.JN_LOG_LEVEL as LogLevel | undefined;
  const level = options.level ?? (envLevel && envLevel in rank ? envLevel : 'info');
  const sink = options.sink ?? { write: (line: string) => process.stderr.write(line) };
  const now = options.now ?? Date.now;
  const make = (service: string | undefined): Logger => {
    const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
      if (rank[lvl] < rank[level]) return;
      const extra = fields
        ? Object.entries(fields)
            .map(([k, v]) => ` ${k}=${formatValue(v)}`)
            .join('')
        : '';
      const tag = service ? ` [${service}]` : '';
      // A broker or database URL in a message, a field or an error never shows its password.
      const line = redactCredentials(`${msg}${extra}`);
      sink.write(`${new Date(now()).toISOString()} ${lvl.toUpperCase().padEnd(5)}${tag} ${line}\n`);
    };
    return {
      debug: (m, f) => emit('debug', m, f),
      info: (m, f) => emit('info', m, f),
      warn: (m, f) => emit('warn', m, f),
      error: (m, f) => emit('error', m, f),
      child: (s) => make(service ? `${service}.${s}` : s),
    };
  };
  return make(options.service);
}
