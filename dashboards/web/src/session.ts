/**
 * Who is signed in: the answer of GET /auth/me (or of the login), shared by the layout, the router's
 * guard and the screens that show or hide what a role may do. The API decides every call anyway; the
 * console only hides what would be refused.
 */
import { computed, reactive } from 'vue';
import { api, ok, setCsrfToken } from './api/client';

export type Role = 'admin' | 'engineer' | 'officer' | 'viewer';

interface SessionState {
  user: string | undefined;
  role: Role | undefined;
  expiresAt: string | undefined;
  /** GET /auth/me has answered once (signed in or not). */
  checked: boolean;
}

export const session = reactive<SessionState>({
  user: undefined,
  role: undefined,
  expiresAt: undefined,
  checked: false,
});

export const signedIn = computed(() => session.user !== undefined);

/** Roles that may change points, overrides, schedules and the calendar (api/access.ts). */
export const canControl = computed(() => session.role === 'admin' || session.role === 'engineer');
/** Roles that may enter facts and bills (the ledger). */
export const canEnterLedger = computed(() => session.role === 'admin' || session.role === 'officer');
export const isAdmin = computed(() => session.role === 'admin');

function apply(me: { user: string; role: Role; csrf_token?: string; expires_at?: string } | undefined): void {
  session.user = me?.user;
  session.role = me?.role;
  session.expiresAt = me?.expires_at;
  setCsrfToken(me?.csrf_token);
  session.checked = true;
}

/** Asks the API who this browser is (its session cookie); signed out when it has none. */
export async function refreshSession(): Promise<void> {
  const { data, response } = await api.GET('/api/v1/auth/me');
  apply(response.ok ? data : undefined);
}

export async function login(user: string, password: string): Promise<void> {
  const me = await ok(api.POST('/api/v1/auth/login', { body: { user, password } }));
  apply(me);
}

export async function logout(): Promise<void> {
  await api.POST('/api/v1/auth/logout').catch(() => undefined);
  apply(undefined);
}

/** Forget the session locally (the API said it is gone). */
export function sessionLost(): void {
  apply(undefined);
}
