import type { z } from 'zod';
import { JnError } from '../../core/errors.ts';
import { bodyDetail } from '../params.ts';

/**
 * The body parsed with a strict schema, or a bad_request (400) naming each field and what it
 * allows; unknown fields are named too. Thrown errors reach the API's problem handler.
 */
export function bodyOf<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const detail = bodyDetail(schema, body ?? {}, parsed.error);
  throw new JnError('bad_request', detail.en, { zh: detail.zh });
}
