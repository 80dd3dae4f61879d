import { z } from 'zod';

const units: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const pattern = /^(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)$/;

/**
 * The longest duration parsed: 100 years. Longer is a typo ("99999999999999999999h"), not a
 * duration, and past it milliseconds lose their precision; callers bound their own values below it.
 */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/**
 * Parses `500ms`, `1s`, `2.5 min`, `1h` into milliseconds; undefined when the text is not a
 * duration or is longer than `MAX_DURATION_MS`.
 */
export function parseDuration(text: string): number | undefined {
  const m = pattern.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const factor = units[m[2]];
  if (factor === undefined) return undefined;
  const ms = Math.round(Number(m[1]) * factor);
  return ms <= MAX_DURATION_MS ? ms : undefined;
}

/** A duration in config files: a string such as `500ms`, `1s`, `5min`, `1h`; parsed to milliseconds. */
export const durationSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? `a duration needs a unit: write e.g. "${issue.input}s" or "${issue.input}min" (units ms, s, min, h, d)`
        : undefined,
  })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a duration: write a positive number with a unit ms, s, min, h or d (e.g. "500ms", "1s")`,
      });
      return z.NEVER;
    }
    return ms;
  });
