import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../core/duration.ts';
import { JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { FaultControl } from './faultControl.ts';
import { deviceFaultSchema } from './scenario/schema.ts';

/** Where a running simulator says its fault endpoint is (`jieneng sims fault` reads it). */
export const faultEndpointFile = (dataDir: string) => join(dataDir, 'sims-faults.json');

/** What the bearer token of a request resolves to (the API's tokens: the caller passes its check in). */
export type TokenCheck = { ok: true; name: string; role: string } | { ok: false; reason: string };

/** Roles that may break the simulated building on purpose. */
const allowedRoles = ['engineer', 'admin'];

const addSchema = z
  .object({
    device: z.string().min(1).max(130).describe('Modbus device id, or OPC UA unit building.zone'),
    fault: deviceFaultSchema,
    for: z
      .string()
      .optional()
      .describe('Remove the fault after this long, real time (e.g. 10m); absent: until cleared'),
  })
  .strict();

const clearSchema = z
  .object({
    device: z.string().min(1).max(130),
    kind: z.string().optional().describe('Only this fault kind; absent: every lasting fault of the device'),
  })
  .strict();

export interface FaultEndpoint {
  url: string;
  stop(): Promise<void>;
}

/**
 * Fault injection into a running simulator without a restart (`jieneng sims fault add|clear|list`):
 * a small HTTP endpoint on 127.0.0.1 only, behind the API's bearer tokens with the engineer (or
 * admin) role. It exists only where device-sims runs, and it can only touch the simulator's
 * devices — never a gateway, never a real building: a site that is not simulated has no endpoint
 * and `jieneng sims fault` says so. Its address is written to DATA_DIR/sims-faults.json (removed
 * on stop), so only someone on the host who can read the data dir finds it.
 */
export async function startFaultEndpoint(ctx: {
  faults: FaultControl;
  dataDir: string;
  log: Logger;
  checkToken: (bearer: string) => TokenCheck;
}): Promise<FaultEndpoint> {
  const { faults, log } = ctx;
  const timers = new Map<string, NodeJS.Timeout>();
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, zh: string, en: string) =>
    send(res, status, { error: en, error_zh: zh });

  const handle = async (req: IncomingMessage, res: ServerResponse, by: string) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== '/faults')
      return problem(res, 404, `没有 ${path}：只有 /faults`, `no ${path}: the endpoint is /faults`);
    if (req.method === 'GET') return send(res, 200, { devices: faults.names(), active: faults.active() });
    if (req.method !== 'POST' && req.method !== 'DELETE')
      return problem(
        res,
        405,
        `/faults 不接受 ${req.method}`,
        `/faults takes GET, POST and DELETE, not ${req.method}`,
      );
    let raw = '';
    for await (const chunk of req) {
      raw += String(chunk);
      if (raw.length > 10_000) return problem(res, 413, '请求体过大', 'body larger than 10 kB');
    }
    let body: unknown;
    try {
      body = JSON.parse(raw || '{}');
    } catch {
      return problem(res, 400, '请求体不是 JSON', 'the body is not JSON');
    }
    const parsed = (req.method === 'POST' ? addSchema : clearSchema).safeParse(body);
    if (!parsed.success)
      return problem(
        res,
        422,
        `故障参数有误：${z.prettifyError(parsed.error)}`,
        `invalid fault: ${z.prettifyError(parsed.error)}`,
      );
    try {
      if (req.method === 'POST') {
        const add = parsed.data as z.infer<typeof addSchema>;
        const forMs = add.for === undefined ? undefined : parseDuration(add.for);
        if (add.for !== undefined && (forMs === undefined || forMs <= 0))
          return problem(
            res,
            422,
            `时长 "${add.for}" 无效，例如 10m、2h`,
            `--for "${add.for}" is no duration, e.g. 10m or 2h`,
          );
        faults.inject(add.device, add.fault);
        const timerKey = `${add.device}:${add.fault.kind}`;
        clearTimeout(timers.get(timerKey));
        timers.delete(timerKey);
        if (forMs !== undefined) {
          const t = setTimeout(() => {
            timers.delete(timerKey);
            faults.clear(add.device, add.fault.kind);
          }, forMs);
          t.unref();
          timers.set(timerKey, t);
        }
        log.warn('fault injected by hand', { device: add.device, fault: add.fault.kind, by, for: add.for });
        return send(res, 200, {
          device: add.device,
          fault: add.fault,
          ...(forMs !== undefined ? { until: new Date(Date.now() + forMs).toISOString() } : {}),
          active: faults.active()[add.device] ?? [],
        });
      }
      const clear = parsed.data as z.infer<typeof clearSchema>;
      const kind = clear.kind as z.infer<typeof deviceFaultSchema>['kind'] | undefined;
      if (kind !== undefined && !deviceFaultSchema.options.some((o) => o.shape.kind.value === kind))
        return problem(res, 422, `没有故障类型 "${kind}"`, `no fault kind "${kind}"`);
      faults.clear(clear.device, kind);
      for (const [k, t] of timers)
        if (k.startsWith(`${clear.device}:`) && (kind === undefined || k === `${clear.device}:${kind}`)) {
          clearTimeout(t);
          timers.delete(k);
        }
      log.warn('fault cleared by hand', { device: clear.device, fault: kind ?? 'all', by });
      return send(res, 200, { device: clear.device, active: faults.active()[clear.device] ?? [] });
    } catch (err) {
      if (err instanceof JnError)
        return problem(res, err.code === 'not_found' ? 404 : 422, err.message, err.message);
      throw err;
    }
  };

  const server = createServer((req, res) => {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer)
      return problem(
        res,
        401,
        '需要 API 令牌（Authorization: Bearer），角色为工程师',
        'an API token is needed (Authorization: Bearer), role engineer',
      );
    const check = ctx.checkToken(bearer);
    if (!check.ok) return problem(res, 401, `令牌被拒绝：${check.reason}`, `token refused: ${check.reason}`);
    if (!allowedRoles.includes(check.role))
      return problem(
        res,
        403,
        `注入故障需要工程师角色；${check.name} 的角色是 ${check.role}`,
        `injecting faults needs the engineer role; ${check.name} is ${check.role}`,
      );
    handle(req, res, check.name).catch((err: unknown) => {
      log.error('fault endpoint failed', { error: String(err) });
      if (!res.headersSent) problem(res, 500, '内部错误', 'internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/faults`;
  const file = faultEndpointFile(ctx.dataDir);
  mkdirSync(ctx.dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify({ url, pid: process.pid })}\n`, { mode: 0o600 });
  log.info('sims fault endpoint', { url });
  return {
    url,
    stop: async () => {
      for (const t of timers.values()) clearTimeout(t);
      rmSync(file, { force: true });
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
