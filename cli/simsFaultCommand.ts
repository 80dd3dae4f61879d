import { mkdirSync, readFileSync } from 'node:fs';
import { createAuth } from '../api/auth/auth.ts';
import { errorText, JnError } from '../core/errors.ts';
import type { Logger } from '../core/log.ts';
import type { FaultControl } from '../device-sims/faultControl.ts';
import { type FaultEndpoint, faultEndpointFile, startFaultEndpoint } from '../device-sims/faultEndpoint.ts';
import { type CommandContext, text } from './context.ts';

export const simsFaultUsage =
  'usage: jieneng sims fault add DEVICE KIND [--for 10m] [--delay MS] [--code N] [--point ID --value N] | clear DEVICE [KIND] | list  [--data-dir DIR] [--token-file FILE]';

/**
 * The fault endpoint of a simulator this process runs (`jieneng start` with the simulated
 * building, `jieneng sims`), checking bearer tokens against the API's DATA_DIR/auth.db.
 */
export async function serveSimsFaults(
  faults: FaultControl,
  dataDir: string,
  log: Logger,
): Promise<FaultEndpoint> {
  // `jieneng sims` alone may run before any API has made its data dir (the tokens are then none yet).
  mkdirSync(dataDir, { recursive: true });
  const auth = createAuth({ file: `${dataDir}/auth.db`, log: log.child('auth') });
  const endpoint = await startFaultEndpoint({
    faults,
    dataDir,
    log,
    checkToken: (bearer) => {
      const c = auth.checkToken(bearer);
      return c.ok
        ? { ok: true, name: c.token.name, role: c.token.role }
        : { ok: false, reason: typeof c.detail === 'string' ? c.detail : c.detail.zh };
    },
  });
  return {
    url: endpoint.url,
    stop: async () => {
      await endpoint.stop();
      auth.close();
    },
  };
}

const notSimulated = (dataDir: string, whyZh: string, why: string) =>
  new JnError(
    'usage',
    `没有正在运行的模拟楼宇（数据目录 ${dataDir}，${whyZh}）：jieneng sims fault 只作用于模拟设备（演示站点、jieneng start --sims 或 jieneng sims），真实站点不能注入故障。\n` +
      `no simulator is running with data dir ${dataDir} (${why}): faults go only to the simulated building (the demo site, jieneng start --sims, jieneng sims); a site that is not simulated takes none`,
  );

/** The fault named on the command line, as the endpoint validates it (device-sims/scenario/schema.ts). */
function faultOf(ctx: CommandContext, kind: string): Record<string, unknown> {
  const num = (name: string) => {
    const v = text(ctx, name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new JnError('usage', `--${name} ${v}: a number is needed`);
    return n;
  };
  const fault: Record<string, unknown> = { kind };
  const delay = num('delay');
  const code = num('code');
  const value = num('value');
  if (delay !== undefined) fault.delay = delay;
  if (code !== undefined) fault.code = code;
  if (text(ctx, 'point') !== undefined) fault.point = text(ctx, 'point');
  if (value !== undefined) fault.value = value;
  return fault;
}

/** `jieneng sims fault add|clear|list`: talks to the running simulator's fault endpoint. */
export async function simsFault(ctx: CommandContext): Promise<number> {
  const [, action, device, kind] = ctx.operands;
  let method: string;
  let body: unknown;
  if (action === 'list' && device === undefined) method = 'GET';
  else if (action === 'add' && device && kind) {
    method = 'POST';
    const forText = text(ctx, 'for');
    body = { device, fault: faultOf(ctx, kind), ...(forText ? { for: forText } : {}) };
  } else if (action === 'clear' && device) {
    method = 'DELETE';
    body = { device, ...(kind ? { kind } : {}) };
  } else throw new JnError('usage', simsFaultUsage);
  const dataDir = text(ctx, 'data-dir') ?? './data';
  let url: string;
  try {
    url = (JSON.parse(readFileSync(faultEndpointFile(dataDir), 'utf8')) as { url: string }).url;
  } catch {
    throw notSimulated(dataDir, `${faultEndpointFile(dataDir)} 不存在`, `no ${faultEndpointFile(dataDir)}`);
  }
  const tokenFile = text(ctx, 'token-file');
  let token = process.env.JIENENG_TOKEN?.trim();
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new JnError('usage', `--token-file ${tokenFile}: ${errorText(err)}`);
    }
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw notSimulated(
      dataDir,
      `${url} 无应答：${errorText(err)}`,
      `${url} does not answer: ${errorText(err)}`,
    );
  }
  const answer = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) {
    ctx.io.err(`${answer.error_zh ?? ''}\n${answer.error ?? `HTTP ${res.status}`}\n`);
    if (res.status === 401)
      ctx.io.err(
        '令牌放进环境变量 JIENENG_TOKEN 或用 --token-file 指定；由管理员用 jieneng token create --name NAME --role engineer 生成\n',
      );
    return 1;
  }
  if (method === 'GET') {
    const active = answer.active as Record<string, string[]>;
    const rows = Object.entries(active);
    ctx.io.out(
      rows.length === 0
        ? '模拟设备没有故障 / no simulated device has a fault\n'
        : `${rows.map(([d, f]) => `${d}  ${f.join(', ')}`).join('\n')}\n`,
    );
    ctx.io.out(`设备 / devices: ${(answer.devices as string[]).join(', ')}\n`);
  } else if (method === 'POST') {
    const until = answer.until
      ? `，至 ${new Date(String(answer.until)).toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' })} 自动清除`
      : '，直到 jieneng sims fault clear';
    ctx.io.out(`已注入 ${device}: ${kind}${until}\ninjected ${kind} into ${device}\n`);
  } else {
    ctx.io.out(
      `已清除 ${device}: ${kind ?? '全部故障'}\ncleared ${kind ?? 'every lasting fault'} of ${device}\n`,
    );
  }
  return 0;
}
