import { randomBytes } from 'node:crypto';
import { type Algorithm, hash, verify } from '@node-rs/argon2';
import { JnError } from '../../core/errors.ts';

/** Shortest password accepted (issue 15); no upper bound beyond what a person types. */
export const minPasswordLength = 12;
const maxPasswordLength = 1024;

// Argon2id with the package defaults (m = 19 MiB, t = 2, p = 1): OWASP's minimum for argon2id.
// `Algorithm` is a const enum, which isolatedModules cannot inline: 2 is Argon2id.
const options = { algorithm: 2 as Algorithm };

/** Refuses a password that is too short (or absurdly long), saying what is allowed. */
export function checkPassword(password: string): void {
  const length = [...password].length;
  if (length < minPasswordLength)
    throw new JnError(
      'bad_request',
      `password: too short (${length} characters); it needs at least ${minPasswordLength} characters`,
    );
  if (length > maxPasswordLength)
    throw new JnError('bad_request', `password: at most ${maxPasswordLength} characters`);
}

/** The argon2id PHC string (`$argon2id$v=19$m=…`) of a checked password. */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return hash(password, options);
}

// A hash of a password nobody knows: an unknown user name costs one verify too, so the answer
// takes as long as for a real account (no user enumeration by timing).
let dummy: Promise<string> | undefined;

/** Whether `password` matches `stored`; with no stored hash, spends one verify on a dummy and says no. */
export async function passwordMatches(stored: string | undefined, password: string): Promise<boolean> {
  dummy ??= hash(randomBytes(24).toString('base64url'), options);
  const against = stored ?? (await dummy);
  try {
    const ok = await verify(against, password);
    return ok && stored !== undefined;
  } catch {
    return false; // a malformed stored hash matches nothing
  }
}
