/** Pure helpers of the 用户与令牌 screen (unit-tested). */

/** The API's minimum password length (api/auth/passwords.ts); the API decides anyway. */
export const minPasswordLength = 12;

export type TokenState = { state: 'active' } | { state: 'revoked'; at: string } | { state: 'expired' };

/** Whether a token still works: revoked (when), expired, or active. */
export function tokenState(
  t: { revoked_at: string | null; expires_at: string | null },
  now: number = Date.now(),
): TokenState {
  if (t.revoked_at) return { state: 'revoked', at: t.revoked_at };
  if (t.expires_at && Date.parse(t.expires_at) <= now) return { state: 'expired' };
  return { state: 'active' };
}

export const expiryChoices = ['30d', '90d', '365d', 'never'] as const;
export type ExpiryChoice = (typeof expiryChoices)[number];

/** The body of POST /tokens from the form. */
export function tokenBody(form: { name: string; role: string; expires: ExpiryChoice; safety: boolean }): {
  name: string;
  role: 'admin' | 'engineer' | 'officer' | 'viewer';
  expires_in?: string;
  scopes?: 'safety'[];
} {
  return {
    name: form.name.trim(),
    role: form.role as 'admin' | 'engineer' | 'officer' | 'viewer',
    ...(form.expires === 'never' ? {} : { expires_in: form.expires }),
    ...(form.safety ? { scopes: ['safety' as const] } : {}),
  };
}
