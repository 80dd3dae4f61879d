import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayWidth } from '../cli/alarmsCommand.ts';
import { AlarmDb } from '../core/alarms/db.ts';
import { apiToken } from './helpers/apiAuth.ts';
import { type ApiHarness, startApiHarness } from './helpers/apiHarness.ts';

/**
 * `jieneng alarms list | ack` as an engineer runs them against the running API (real HTTP on
 * 127.0.0.1, the harness's alarms.db): a table in Chinese with local times, JSON for scripts, and
 * an acknowledgement with a note that the API records as the token's user.
 */
let h: ApiHarness;
let engineer = '';
let officer = '';
let offline = 0;
let balance = 0;

async function jieneng(args: string[], token = engineer) {
  const child = spawn(process.execPath, ['bin/jieneng.js', 'alarms', ...args, '--api', h.base], {
    env: { ...process.env, JIENENG_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, out, err };
}

beforeAll(async () => {
  h = await startApiHarness();
  engineer = apiToken(h.dir, { role: 'engineer', name: '王工' }).token;
  officer = apiToken(h.dir, { role: 'officer', name: '李科长' }).token;
  const db = new AlarmDb(join(h.dir, 'alarms.db'), 'Asia/Shanghai');
  const at = Date.parse('2025-09-29T16:05:00+08:00');
  const observe = (rule: 'device_offline' | 'meter_balance', key: string, zh: string) =>
    db
      .observe(
        {
          rule,
          key,
          active: true,
          at: new Date(at).toISOString(),
          message: `${key} is offline`,
          message_zh: zh,
        },
        { now: at, severity: rule === 'device_offline' ? 'critical' : 'minor', holdOffMs: 0 },
      )
      .find((e) => e.transition.action === 'raise')?.alarm.id ?? 0;
  offline = observe('device_offline', 'zonghe-lou-main-meter', '综合楼总表离线：自 16:05 起无应答');
  balance = observe('meter_balance', 'dangan-lou', '档案楼总分表差 12.5%（允许 5%）');
  db.close();
});
afterAll(async () => {
  await h?.stop();
});

describe('jieneng alarms', () => {
  it('lists the open alarms as a table in Chinese, local times, columns aligned', async () => {
    const r = await jieneng(['list']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^编号\s+级别\s+状态\s+规则\s+对象\s+首次报警\s+说明$/);
    const line = lines.find((l) => l.startsWith(`${offline} `)) ?? '';
    expect(line).toMatch(
      /紧急\s+待处理\s+设备离线\s+zonghe-lou-main-meter\s+2025-09-29 16:05\s+综合楼总表离线：自 16:05 起无应答$/,
    );
    // Each column starts at the same terminal column in every row (Chinese counts two).
    const at = (l: string, s: string) => displayWidth(l.slice(0, l.indexOf(s)));
    const other = lines.find((l) => l.startsWith(`${balance} `)) ?? '';
    expect(at(other, '2025-09-29 16:05')).toBe(at(line, '2025-09-29 16:05'));
    expect(at(lines[0] ?? '', '首次报警')).toBe(at(line, '2025-09-29 16:05'));
    expect(lines.at(-1)).toMatch(/^\d+ 条；待处理 \d+，处理中 \d+，已搁置 0$/);
  });

  it('acknowledges with a note as the token’s user; the list then says 处理中', async () => {
    const r = await jieneng(['ack', String(offline), '--note', '已派人到配电房']);
    expect(r.err).toBe('');
    expect(r.out).toBe(
      `报警 ${offline}（设备离线 zonghe-lou-main-meter）已由 token:王工 于 2025-09-29 17:30 确认；条件恢复后自动关闭\n`,
    );
    const json = await jieneng(['list', '--json']);
    const alarm = (
      JSON.parse(json.out) as { alarms: { id: number; ack_note: string; list: string }[] }
    ).alarms.find((a) => a.id === offline);
    expect(alarm).toMatchObject({ ack_note: '已派人到配电房', list: 'in_progress' });
    expect((await jieneng(['list'])).out).toMatch(new RegExp(`^${offline} +紧急 +处理中 `, 'm'));
  });

  it('says the API’s refusal: an officer may not acknowledge a device alarm, an unknown id, no token', async () => {
    const refused = await jieneng(['ack', String(offline)], officer);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /^报警 \d+ 属于 device_offline：节能统计员只能确认或关闭 meter_balance、after_hours、night_flow、target_trend、quota 类报警；请联系工程师\n$/,
    );
    const ok = await jieneng(['ack', String(balance)], officer);
    expect(ok.out).toMatch(/已由 token:李科长 于 2025-09-29 17:30 确认/);
    const none = await jieneng(['ack', '999999']);
    expect([none.code, none.err]).toEqual([1, '没有编号为 999999 的报警\n']);
    const anonymous = await jieneng(['list'], '');
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toMatch(
      /API 拒绝了请求（401 unauthorized，没有令牌）：请把 API 令牌放进环境变量 JIENENG_TOKEN/,
    );
    const usage = await jieneng(['close', '1']);
    expect(usage.code).not.toBe(0);
    expect(usage.err).toMatch(/unknown subcommand "close"; usage: jieneng alarms list/);
  });
});
