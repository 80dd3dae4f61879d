import { json, Router } from 'express';
import { z } from 'zod';
import { roles } from '../../core/auth/actor.ts';
import { JnError } from '../../core/errors.ts';
import { localTimestamp } from '../../core/localTime.ts';
import type { Auth, UserInfo } from '../auth/auth.ts';
import { minPasswordLength } from '../auth/passwords.ts';
import { bodyOf } from '../auth/respond.ts';
import { actorOf } from '../caller.ts';

const roleField = z
  .enum(roles, { error: `one of ${roles.join(', ')}` })
  .describe(`Role: ${roles.join(', ')}`);
const passwordField = z
  .string()
  .min(minPasswordLength, `at least ${minPasswordLength} characters`)
  .max(1024, 'at most 1024 characters')
  .describe(`At least ${minPasswordLength} characters; stored as an argon2id hash, never shown`);

/** POST /users body. */
export const userCreateBody = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64, 'at most 64 characters')
      .describe('Account name: 1–64 letters (any script, e.g. 张工) or digits, . _ - inside'),
    role: roleField,
    password: passwordField,
  })
  .strict();

/** PATCH /users/:name body: any of role, disabled, password (at least one). */
export const userPatchBody = z
  .object({
    role: roleField.optional(),
    disabled: z
      .boolean({ error: 'true or false' })
      .optional()
      .describe('A disabled account cannot log in; its sessions end'),
    password: passwordField.optional(),
  })
  .strict();

/** A user as the API answers it (snake_case, local times); never the password or its hash. */
export function userJson(u: UserInfo, timeZone: string) {
  return {
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    created_at: localTimestamp(u.createdAt, timeZone),
    created_by: u.createdBy,
  };
}

/**
 * GET /users, POST /users, PATCH /users/:name. No hard delete: a person leaving is disabled, so
 * the audit keeps naming a known account. Who may call these is the role matrix's business.
 */
export function userRoutes(auth: Auth): Router {
  const router = Router();
  const tz = auth.options.timeZone;

  router.get('/users', (_req, res) => {
    res.json({ users: auth.listUsers().map((u) => userJson(u, tz)) });
  });

  router.post('/users', json(), async (req, res) => {
    const body = bodyOf(userCreateBody, req.body);
    res.locals.audit = { target: `user:${body.name}`, after: { name: body.name, role: body.role } };
    const user = await auth.addUser({ ...body, by: actorOf(req, res) });
    const after = userJson(user, tz);
    res.locals.audit = { target: `user:${user.name}`, after };
    res.status(201).json(after);
  });

  router.patch('/users/:name', json(), async (req, res) => {
    const name = String(req.params.name);
    const body = bodyOf(userPatchBody, req.body);
    if (body.role === undefined && body.disabled === undefined && body.password === undefined)
      throw new JnError('bad_request', 'nothing to change: give role, disabled or password');
    const before = auth.getUser(name);
    res.locals.audit = { target: `user:${name}`, ...(before ? { before: userJson(before, tz) } : {}) };
    const user = await auth.updateUser(name, body);
    const after = {
      ...userJson(user, tz),
      ...(body.password !== undefined ? { credential: 'changed' } : {}),
    };
    res.locals.audit = { target: `user:${user.name}`, before: before && userJson(before, tz), after };
    res.json(userJson(user, tz));
  });
  return router;
}
