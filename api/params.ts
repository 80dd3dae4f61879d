import { z } from 'zod';
import { localMidnight } from '../core/rollup/consumption.ts';

/** A query parameter that is a local date (midnight in the site's zone) or an ISO-8601 instant. */
export const dateOrInstant = z
  .string()
  .regex(
    /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/,
    'a local date YYYY-MM-DD (midnight in the site time zone) or an ISO-8601 instant with offset',
  );

/** Epoch ms of a `dateOrInstant` text in `timeZone`. */
export function instantOf(text: string, timeZone: string): number {
  return text.length > 10 ? Date.parse(text) : localMidnight(text, timeZone);
}
