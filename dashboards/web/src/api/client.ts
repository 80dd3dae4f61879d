/**
 * The console's one API client: openapi-fetch over the types generated from the API's OpenAPI
 * document (openapi.d.ts, `npm run gen:api-types`; a test fails when it is stale), so a call to a
 * route or with a body the API does not document does not type-check.
 *
 * The session cookie goes with every call (same origin); mutating calls carry the session's CSRF
 * token; every call asks for answers in the console's language. A problem answer (RFC 9457) becomes
 * an `ApiError` with the API's own title and detail, which screens show as they are.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';

export type { components, operations, paths } from './openapi';

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return this.problem.code;
  }
}

let csrfToken: string | undefined;
let language = 'zh-CN';
let onUnauthenticated: (() => void) | undefined;

/** The CSRF token of the signed-in session (from the login answer or GET /auth/me). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
export function setApiLanguage(lang: string): void {
  language = lang;
}
/** Called when an answer says the session is gone (401 on a route that needs one): back to login. */
export function onSessionLost(handler: () => void): void {
  onUnauthenticated = handler;
}

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const session: Middleware = {
  onRequest({ request }) {
    request.headers.set('Accept-Language', language);
    if (csrfToken && mutating.has(request.method)) request.headers.set('X-CSRF-Token', csrfToken);
    return request;
  },
  async onResponse({ request, response }) {
    if (response.ok) return response;
    if (response.status === 401 && !request.url.endsWith('/api/v1/auth/login')) onUnauthenticated?.();
    return response;
  },
};

// JSON answers only (application/json, application/problem+json): a route that also answers with
// a file (GET /alarms?format=xlsx) is fetched as a file by download(), not through this client.
export const api = createClient<paths, `${string}/${string}json`>({
  baseUrl: '',
  credentials: 'same-origin',
});
api.use(session);

/** The problem of a failed answer, or a stand-in that says what the answer was (never silent). */
export function problemOf(status: number, error: unknown): Problem {
  if (error && typeof error === 'object' && 'title' in error) return error as Problem;
  return { title: `HTTP ${status}`, status, detail: typeof error === 'string' ? error : '' };
}

/**
 * The data of an openapi-fetch answer, or an ApiError: `await ok(api.GET('/api/v1/devices'))`.
 * A network failure (the API is not reachable) is an ApiError with status 0.
 */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, {
      title: 'network',
      status: 0,
      detail: err instanceof Error ? err.message : String(err),
    });
  }
  if (answer.error !== undefined || !answer.response.ok)
    throw new ApiError(answer.response.status, problemOf(answer.response.status, answer.error));
  return answer.data as T;
}

/** A file the API makes (report XLSX/PDF/CSV): fetched with the session, saved under its own name (returned). */
export async function download(url: string, fallbackName: string): Promise<string> {
  const response = await fetch(url, {
    credentials: 'same-origin',
    headers: { 'Accept-Language': language },
  });
  if (!response.ok) {
    let problem: unknown;
    try {
      problem = await response.json();
    } catch {
      problem = await response.text().catch(() => '');
    }
    throw new ApiError(response.status, problemOf(response.status, problem));
  }
  const disposition = response.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
  const plain = /filename="?([^";]+)"?/i.exec(disposition)?.[1];
  const name = star ? decodeURIComponent(star) : (plain ?? fallbackName);
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}
