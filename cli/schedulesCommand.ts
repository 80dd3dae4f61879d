import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { errorText, JnError } from '../core/errors.ts';
import { type CommandContext, type ToolCommand, text } from './context.ts';

/** Where the running API is unless --api says otherwise (`jieneng start`'s default port). */
export const defaultApi = 'http://127.0.0.1:8080';

const usage =
  'usage: jieneng schedules [preview] | list | show ID | edit ID [--file FILE] | history ID | diff ID A B | revert ID VERSION [--api URL] [--token-file FILE] [--reason TEXT]';

/** An answer of the API: its status and its JSON (a problem's detail and problems when it refused). */
export interface Answer {
  status: number;
  body: unknown;
}

type Problem = { code?: string; detail?: string; problems?: { path: string; message: string }[] };

/** The API client of the subcommands: base URL and credentials from the options and environment. */
export function client(ctx: CommandContext) {
  const api = (text(ctx, 'api') ?? defaultApi).replace(/\/+$/, '');
  const tokenFile = text(ctx, 'token-file');
  let token = process.env.JIENENG_TOKEN?.trim();
  if (tokenFile) {
    try {
      token = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new JnError('usage', `--token-file ${tokenFile}: ${errorText(err)}`);
    }
  }
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const url = `${api}/api/v1${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new JnError(
        'usage',
        `cannot reach the API at ${api} (${errorText((err as { cause?: unknown }).cause ?? err)}); is jieneng start (or jieneng api) running? --api URL says where`,
      );
    }
    const raw = await res.text();
    return { status: res.status, body: raw ? (JSON.parse(raw) as unknown) : null };
  };
}

/**
 * A refusal as the engineer reads it: the detail (Chinese, the API's default), then each problem as
 * `path: message`. A 401 says what this command sends (a token), not the browser's sign-in route.
 */
export function refusal(ctx: CommandContext, a: Answer): number {
  const p = (a.body ?? {}) as Problem;
  if (a.status === 401) {
    const given = text(ctx, 'token-file')
      ? `--token-file 中的令牌`
      : process.env.JIENENG_TOKEN?.trim()
        ? 'JIENENG_TOKEN 中的令牌'
        : '没有令牌';
    ctx.io.err(
      `API 拒绝了请求（401 ${p.code ?? ''}，${given}）：请把 API 令牌放进环境变量 JIENENG_TOKEN，或用 --token-file FILE 指定令牌文件；令牌由管理员用 jieneng token create --name NAME --role engineer 生成\n`,
    );
    return 1;
  }
  ctx.io.err(`${p.detail ?? `API 返回 ${a.status}`}\n`);
  for (const x of p.problems ?? []) ctx.io.err(`  ${x.path}: ${x.message}\n`);
  return 1;
}

const idOf = (ctx: CommandContext, i = 1) => {
  const id = ctx.operands[i];
  if (!id) throw new JnError('usage', usage);
  return encodeURIComponent(id);
};
const reasonQuery = (ctx: CommandContext) => {
  const r = text(ctx, 'reason');
  return r ? `?reason=${encodeURIComponent(r)}` : '';
};

type Entry = {
  schedule: { id: string; name: string; group: string; point: string; priority: number };
  origin: string;
  version?: number;
  updated_by?: string;
  updated_at?: string;
  site_changed_since_edit?: boolean;
};

const line = (e: Entry) =>
  `${e.schedule.id}  ${e.origin}${e.version ? ` v${e.version}` : ''}  p${e.schedule.priority}  ${e.schedule.group}/${e.schedule.point}  ${e.schedule.name}${e.site_changed_since_edit ? '  (site file changed since this edit)' : ''}\n`;

const subcommands: Record<string, (ctx: CommandContext, call: ReturnType<typeof client>) => Promise<number>> =
  {
    async list(ctx, call) {
      const a = await call('GET', '/schedules');
      if (a.status !== 200) return refusal(ctx, a);
      for (const e of (a.body as { schedules: Entry[] }).schedules) ctx.io.out(line(e));
      return 0;
    },
    async show(ctx, call) {
      const a = await call('GET', `/schedules/${idOf(ctx)}`);
      if (a.status !== 200) return refusal(ctx, a);
      const e = a.body as Entry & Record<string, unknown>;
      ctx.io.out(`# ${line(e)}${stringify(e.schedule)}`);
      if (e.site_changed_since_edit) ctx.io.out(`# the site file's now:\n${stringify(e.site_schedule)}`);
      return 0;
    },
    edit: editSchedule,
    async history(ctx, call) {
      const a = await call('GET', `/schedules/${idOf(ctx)}/history`);
      if (a.status !== 200) return refusal(ctx, a);
      const h = a.body as {
        in_force: number | string | null;
        versions: {
          version: number;
          at: string;
          by: string;
          action: string;
          reverted_to?: unknown;
          reason: string | null;
        }[];
      };
      for (const v of h.versions)
        ctx.io.out(
          `v${v.version}  ${v.at}  ${v.by}  ${v.action}${v.reverted_to === undefined ? '' : ` → ${v.reverted_to}`}${v.reason ? `  ${v.reason}` : ''}${h.in_force === v.version ? '  (in force)' : ''}\n`,
        );
      if (h.in_force === 'site') ctx.io.out('in force: the site file’s\n');
      return 0;
    },
    async diff(ctx, call) {
      const [from, to] = [ctx.operands[2], ctx.operands[3]];
      if (!from || !to) throw new JnError('usage', usage);
      const a = await call(
        'GET',
        `/schedules/${idOf(ctx)}/diff?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
      );
      if (a.status !== 200) return refusal(ctx, a);
      const changes = (a.body as { changes: { path: string; before?: unknown; after?: unknown }[] }).changes;
      const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
      for (const c of changes) ctx.io.out(`${c.path}: ${show(c.before)} → ${show(c.after)}\n`);
      if (changes.length === 0) ctx.io.out(`versions ${from} and ${to} are the same\n`);
      return 0;
    },
    async revert(ctx, call) {
      const v = ctx.operands[2];
      if (!v || !(v === 'site' || /^\d+$/.test(v)))
        throw new JnError('usage', `${usage}\nVERSION: a number from the history, or site`);
      const reason = text(ctx, 'reason');
      const a = await call('POST', `/schedules/${idOf(ctx)}/revert`, {
        version: v === 'site' ? 'site' : Number(v),
        ...(reason ? { reason } : {}),
      });
      if (a.status !== 200) return refusal(ctx, a);
      const e = a.body as Entry | { deleted: true };
      ctx.io.out('deleted' in e ? `${ctx.operands[1]}: deleted (as version ${v} was)\n` : line(e));
      return 0;
    },
  };

/**
 * `edit ID`: the schedule in force as YAML in a temp file, the editor ($VISUAL, $EDITOR, else vi)
 * on it, then PUT. When the API refuses it, the problems are printed (path: message) and the file
 * is kept so nothing typed is lost; `edit ID --file FILE` sends it again once fixed.
 */
async function editSchedule(ctx: CommandContext, call: ReturnType<typeof client>): Promise<number> {
  const id = idOf(ctx);
  const given = text(ctx, 'file');
  if (given !== undefined) return putFile(ctx, call, given);
  const a = await call('GET', `/schedules/${id}`);
  if (a.status !== 200) return refusal(ctx, a);
  const e = a.body as Entry & { schedule: unknown };
  const dir = mkdtempSync(join(tmpdir(), 'jn-schedule-'));
  const file = join(dir, `${ctx.operands[1]}.yaml`);
  const before = `# ${line(e)}# Save and quit to apply; an empty file changes nothing.\n${stringify(e.schedule)}`;
  writeFileSync(file, before);
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi';
  // Through the shell, as git does: EDITOR may carry arguments ("code --wait").
  const ran = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'editor', file], { stdio: 'inherit' });
  if (ran.status !== 0) {
    ctx.io.err(`编辑器（${editor}）以 ${ran.status ?? ran.signal} 退出；未作更改；文件已保留：${file}\n`);
    return 1;
  }
  const after = readFileSync(file, 'utf8');
  if (after === before || after.trim() === '') {
    rmSync(dir, { recursive: true, force: true });
    ctx.io.out(`${ctx.operands[1]}: no change\n`);
    return 0;
  }
  const saved = await putYaml(ctx, call, after, file);
  if (saved) rmSync(dir, { recursive: true, force: true });
  return saved ? 0 : 1;
}

/** `edit ID --file FILE`: the YAML of FILE (a file kept by a refused edit) as the new version, no editor. */
async function putFile(ctx: CommandContext, call: ReturnType<typeof client>, file: string): Promise<number> {
  let yaml: string;
  try {
    yaml = readFileSync(file, 'utf8');
  } catch (err) {
    throw new JnError('usage', `--file ${file}: ${errorText(err)}`);
  }
  return (await putYaml(ctx, call, yaml, file)) ? 0 : 1;
}

/**
 * PUTs the schedule written in `yaml` (from `file`); true when saved. A refusal prints the problems
 * and how to send the same file again once it is fixed (the file is never removed here).
 */
async function putYaml(
  ctx: CommandContext,
  call: ReturnType<typeof client>,
  yaml: string,
  file: string,
): Promise<boolean> {
  const id = idOf(ctx);
  const again = (what: string) =>
    `文件已保留：${file}；${what}后运行：jieneng schedules edit ${ctx.operands[1]} --file ${file}\n`;
  let edited: unknown;
  try {
    edited = parse(yaml);
  } catch (err) {
    ctx.io.err(`${file}：不是有效的 YAML：${errorText(err)}\n${again('改好')}`);
    return false;
  }
  const put = await call('PUT', `/schedules/${id}${reasonQuery(ctx)}`, edited);
  if (put.status !== 200) {
    refusal(ctx, put);
    ctx.io.err(again(put.status === 401 ? '设置好令牌' : '改好'));
    return false;
  }
  const now = await call('GET', `/schedules/${id}`);
  ctx.io.out(now.status === 200 ? line(now.body as Entry) : `${ctx.operands[1]}: saved\n`);
  return true;
}

/**
 * `jieneng schedules`: `preview` (offline, from the site file and control.db, the default with no
 * subcommand) beside the subcommands that talk to the running API over HTTP.
 */
export function schedulesCommand(preview: ToolCommand): ToolCommand {
  return async (ctx) => {
    const sub = ctx.operands[0];
    if (sub === undefined || sub === 'preview')
      return preview({ ...ctx, operands: ['preview', ...ctx.operands.slice(1)] });
    const run = subcommands[sub];
    if (!run) throw new JnError('usage', `unknown subcommand "${sub}"; ${usage}`);
    try {
      return await run(ctx, client(ctx));
    } catch (err) {
      if (err instanceof JnError && err.code === 'usage' && err.message.startsWith('cannot reach')) {
        ctx.io.err(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
  };
}
