import { z } from 'zod';
import { auditQuery } from '../routes/audit.ts';
import { loginBody } from '../routes/auth.ts';
import { tokenCreateBody } from '../routes/tokens.ts';
import { userCreateBody, userPatchBody } from '../routes/users.ts';
import { bodyErrors, commonErrors, instant, type RouteDoc } from './common.ts';

const role = z.enum(['admin', 'engineer', 'officer', 'viewer']);
const login = z.looseObject({
  user: z.string(),
  role,
  csrf_token: z
    .string()
    .describe('Send it as X-CSRF-Token on every POST, PUT, PATCH, DELETE with the cookie'),
  expires_at: instant,
});
const me = z.looseObject({
  user: z.string(),
  role,
  via: z.string(),
  scopes: z.array(z.string()),
  token_id: z.string().optional(),
  csrf_token: z.string().optional(),
  expires_at: instant.optional(),
});
const user = z.object({
  name: z.string(),
  role,
  disabled: z.boolean(),
  created_at: instant,
  created_by: z.string(),
});
const token = z.object({
  id: z.string(),
  name: z.string(),
  role,
  scopes: z.array(z.string()),
  expires_at: instant.nullable(),
  created_by: z.string(),
  created_at: instant.nullable(),
  last_used_at: instant.nullable(),
  revoked_at: instant.nullable(),
});
const auditEntry = z.looseObject({
  id: z.number().int(),
  at: instant,
  actor: z.looseObject({ user: z.string(), role: z.string(), via: z.string() }),
  action: z.string(),
  target: z.string().nullable(),
  outcome: z.enum(['ok', 'refused', 'failed']),
  prev_hash: z.string(),
  hash: z.string(),
});
const verify = z.looseObject({
  ok: z.boolean(),
  entries: z.number().int(),
  problem: z.object({ id: z.number().int(), reason: z.string() }).optional(),
});
const writeErrors = [...commonErrors, ...bodyErrors];

/** Login and sessions, users, API tokens and the audit log. */
export function authDocs(): RouteDoc[] {
  const doc = (r: Omit<RouteDoc, 'tag'>, tag = 'auth'): RouteDoc => ({ ...r, tag });
  return [
    doc({
      method: 'POST',
      path: '/api/v1/auth/login',
      operationId: 'login',
      summary: { zh: '登录（浏览器会话）', en: 'Log in (browser session)' },
      public: true,
      body: loginBody,
      responses: {
        200: { description: 'Signed in; Set-Cookie jn_session (HttpOnly, SameSite=Strict)', schema: login },
      },
      errors: [...bodyErrors, 401, 403, 423, 429],
    }),
    doc({
      method: 'POST',
      path: '/api/v1/auth/logout',
      operationId: 'logout',
      summary: { zh: '退出登录', en: 'Log out' },
      responses: { 204: { description: 'The session ended', schema: null } },
      errors: commonErrors,
    }),
    doc({
      method: 'GET',
      path: '/api/v1/auth/me',
      operationId: 'whoAmI',
      summary: { zh: '当前用户', en: 'Who is signed in' },
      responses: { 200: { description: 'The caller (and the session’s CSRF token)', schema: me } },
      errors: commonErrors,
    }),
    doc(
      {
        method: 'GET',
        path: '/api/v1/users',
        operationId: 'listUsers',
        summary: { zh: '用户列表', en: 'Users' },
        responses: { 200: { description: 'Every account', schema: z.object({ users: z.array(user) }) } },
        errors: commonErrors,
      },
      'users',
    ),
    doc(
      {
        method: 'POST',
        path: '/api/v1/users',
        operationId: 'createUser',
        summary: { zh: '新建用户', en: 'Create a user' },
        body: userCreateBody,
        responses: { 201: { description: 'The account (never the password)', schema: user } },
        errors: [...writeErrors, 409],
      },
      'users',
    ),
    doc(
      {
        method: 'PATCH',
        path: '/api/v1/users/:name',
        operationId: 'updateUser',
        summary: { zh: '修改用户（角色、停用、密码）', en: 'Change a user (role, disabled, password)' },
        body: userPatchBody,
        responses: { 200: { description: 'The account', schema: user } },
        errors: [...writeErrors, 404, 409],
      },
      'users',
    ),
    doc(
      {
        method: 'GET',
        path: '/api/v1/tokens',
        operationId: 'listTokens',
        summary: { zh: 'API 令牌列表', en: 'API tokens' },
        responses: { 200: { description: 'Never a secret', schema: z.object({ tokens: z.array(token) }) } },
        errors: commonErrors,
      },
      'users',
    ),
    doc(
      {
        method: 'POST',
        path: '/api/v1/tokens',
        operationId: 'createToken',
        summary: { zh: '新建 API 令牌（仅显示一次）', en: 'Create an API token (shown once)' },
        body: tokenCreateBody,
        responses: {
          201: {
            description: 'The token in `token`, shown this once',
            schema: token.extend({ token: z.string() }),
          },
        },
        errors: writeErrors,
      },
      'users',
    ),
    doc(
      {
        method: 'DELETE',
        path: '/api/v1/tokens/:id',
        operationId: 'revokeToken',
        summary: { zh: '撤销 API 令牌', en: 'Revoke an API token' },
        responses: { 200: { description: 'The revoked token', schema: token } },
        errors: [...commonErrors, 404, 409],
      },
      'users',
    ),
    doc(
      {
        method: 'GET',
        path: '/api/v1/audit',
        operationId: 'listAudit',
        summary: { zh: '审计日志', en: 'Audit log' },
        query: auditQuery,
        responses: {
          200: {
            description: 'Newest first; next_before pages on',
            schema: z.object({ entries: z.array(auditEntry), next_before: z.number().int().nullable() }),
          },
        },
        errors: commonErrors,
      },
      'audit',
    ),
    doc(
      {
        method: 'GET',
        path: '/api/v1/audit/verify',
        operationId: 'verifyAudit',
        summary: { zh: '校验审计日志哈希链', en: "Check the audit log's hash chain" },
        query: {},
        responses: { 200: { description: 'Intact, or the first bad entry', schema: verify } },
        errors: commonErrors,
      },
      'audit',
    ),
  ];
}
