import { z } from 'zod';

/**
 * Identifiers that become MQTT topic segments, tag values and file names: lower-case letters,
 * digits, `-` and `_`, starting with a letter or digit, at most 64 characters; never `+ # /`.
 */
export const slugSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,63}$/,
    'must be a slug: lower-case letters, digits, "-" or "_", starting with a letter or digit, at most 64 characters',
  );
export type Slug = z.infer<typeof slugSchema>;
