import type { Alarm } from '../core/alarms/model.ts';
import { ruleZh, severityZh } from '../core/alarms/model.ts';
import { JnError } from '../core/errors.ts';
import type { CommandSpec } from './commandSpec.ts';
import { type CommandContext, type ToolCommand, text } from './context.ts';
import { client, defaultApi, refusal } from './schedulesCommand.ts';

const usage =
  'usage: jieneng alarms list [--all] [--json] | ack ID [--note TEXT] [--api URL] [--token-file FILE]';

/** `jieneng alarms`: its usage line, help page and options (registered in cli/commands.ts). */
export const alarmsCommandSpec: CommandSpec = {
  name: 'alarms',
  operands: 'list | ack ID',
  summary:
    'The site’s alarms through the running API (--api): list prints the open ones (--all: the closed ones too) as a table, newest first, in the site’s local time; ack ID acknowledges one, with --note saying what was found or done (a cleared alarm then closes).',
  notes:
    'The token comes from $JIENENG_TOKEN or --token-file (jieneng token create --name NAME --role engineer). An officer may acknowledge the alarms of the data rules only (总分表不平衡, 非工作时间用能, 夜间用水, 能耗强度趋势).',
  options: [
    { name: 'all', text: 'list: every alarm, the closed ones (已处理) too' },
    { name: 'json', text: 'list: the API’s answer as JSON, for scripts' },
    { name: 'limit', arg: 'N', default: '200', text: 'list: how many alarms, 1–1000' },
    { name: 'note', arg: 'TEXT', text: 'ack: what was found or done (at most 1000 characters)' },
    { name: 'api', arg: 'URL', defaultText: defaultApi, text: 'The running API' },
    {
      name: 'token-file',
      arg: 'FILE',
      defaultText: '$JIENENG_TOKEN',
      text: 'API token, sent as Authorization: Bearer',
    },
  ],
  example: 'jieneng alarms ack 12 --note "已更换通信模块"',
};

/** Columns of a terminal a text takes: CJK and full-width characters two, others one. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w +=
      (c >= 0x1100 && c <= 0x115f) ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x20000 && c <= 0x3fffd)
        ? 2
        : 1;
  }
  return w;
}

/**
 * A text from an alarm (a detector's message, a person's note or name, a key) as it is printed:
 * ANSI escape sequences and other control characters removed, line breaks as a space, so what an
 * alarm says cannot move the cursor, recolour or clear the terminal, or forge a row of the table.
 */
export function printable(s: string): string {
  return (
    s
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what is removed
      .replace(/\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g, '')
      .replace(/[\r\n\t\u2028\u2029]+/g, ' ')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
  );
}

const pad = (s: string, width: number) => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/** Rows as columns aligned by their display width (the last column is not padded). */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows)
    for (const [i, cell] of r.entries()) widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell));
  return rows
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** `2025-09-29T16:30:00+08:00` as a person reads it here: `2025-09-29 16:30` (the API gives the site's local time). */
const local = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

/** Where an alarm is, in the console's words: 待处理 / 处理中 / 已处理, and whether it has cleared or is shelved. */
function stateText(a: Alarm): string {
  const list = { pending: '待处理', in_progress: '处理中', done: '已处理' }[a.list];
  const more = [
    a.state === 'cleared' ? '已恢复' : '',
    a.shelved_until ? `搁置至 ${local(a.shelved_until)}` : '',
    a.count > 1 ? `第 ${a.count} 次` : '',
  ].filter(Boolean);
  return more.length ? `${list}（${more.join('，')}）` : list;
}

/** One line of the table; the message cut to keep a row on one line of a wide terminal. */
function row(a: Alarm): string[] {
  const message = printable(a.message_zh || a.message);
  const affected = a.affected > 0 ? `（另有 ${a.affected} 项受影响）` : '';
  return [
    String(a.id),
    severityZh[a.severity],
    stateText(a),
    ruleZh[a.rule] ?? a.rule,
    printable(a.key),
    local(a.raised_at),
    `${message.length > 80 ? `${message.slice(0, 79)}…` : message}${affected}`,
  ];
}

async function list(ctx: CommandContext, call: ReturnType<typeof client>): Promise<number> {
  const limitText = text(ctx, 'limit') ?? '200';
  if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 1000)
    throw new JnError('usage', `--limit ${limitText}: a whole number from 1 to 1000`);
  const status = ctx.values.all === true ? 'all' : 'open';
  const a = await call('GET', `/alarms?status=${status}&limit=${limitText}`);
  if (a.status !== 200) return refusal(ctx, a);
  if (ctx.values.json === true) {
    ctx.io.out(`${JSON.stringify(a.body, null, 2)}\n`);
    return 0;
  }
  const { alarms, counts } = a.body as {
    alarms: Alarm[];
    counts: { pending: number; in_progress: number; shelved: number };
  };
  const summary = `待处理 ${counts.pending}，处理中 ${counts.in_progress}，已搁置 ${counts.shelved}`;
  if (alarms.length === 0) {
    ctx.io.out(`${status === 'all' ? '没有报警' : '没有未关闭的报警'}（${summary}）\n`);
    return 0;
  }
  const header = ['编号', '级别', '状态', '规则', '对象', '首次报警', '说明'];
  ctx.io.out(`${table([header, ...alarms.map(row)])}\n${alarms.length} 条；${summary}\n`);
  return 0;
}

async function ack(ctx: CommandContext, call: ReturnType<typeof client>): Promise<number> {
  const id = ctx.operands[1];
  if (!id || ctx.operands.length > 2) throw new JnError('usage', usage);
  const note = text(ctx, 'note');
  const a = await call('POST', `/alarms/${encodeURIComponent(id)}/acknowledge`, note ? { note } : {});
  if (a.status !== 200) return refusal(ctx, a);
  const alarm = (a.body as { alarm: Alarm }).alarm;
  const closed = alarm.state === 'closed' ? '；条件已恢复，报警已关闭' : '；条件恢复后自动关闭';
  ctx.io.out(
    `报警 ${alarm.id}（${ruleZh[alarm.rule] ?? alarm.rule} ${printable(alarm.key)}）已由 ${printable(alarm.acknowledged_by ?? '?')} 于 ${local(alarm.acknowledged_at)} 确认${closed}\n`,
  );
  return 0;
}

/** `jieneng alarms list | ack ID`, through the running API. */
export const alarmsCommand: ToolCommand = async (ctx) => {
  const sub = ctx.operands[0];
  const run = sub === 'list' ? list : sub === 'ack' ? ack : undefined;
  if (!run) throw new JnError('usage', sub ? `unknown subcommand "${sub}"; ${usage}` : usage);
  if (sub === 'list' && ctx.operands.length > 1) throw new JnError('usage', usage);
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
