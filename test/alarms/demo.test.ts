import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlarmDb } from '../../core/alarms/db.ts';
import { spawnCli } from '../helpers/cli.ts';
import { waitFor } from '../helpers/wait.ts';

/** Real seconds the demo runs (JN_DEMO_ALARM_S to run it longer); at --speed 60 each is a simulated minute. */
const runSeconds = Number(process.env.JN_DEMO_ALARM_S ?? 180);
const speed = process.env.JN_DEMO_ALARM_SPEED ?? '60';

describe('the demo raises no alarm when nothing is wrong', () => {
  it(`jieneng start of the demo for ${runSeconds} s at --speed ${speed}: no alarm of any rule`, {
    timeout: (runSeconds + 240) * 1000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jn-demo-alarms-'));
    const data = join(dir, 'data');
    const cli = spawnCli([
      'start',
      '--data-dir',
      data,
      '--port',
      '0',
      '--broker-port',
      '0',
      '--history',
      'none',
      '--speed',
      speed,
    ]);
    try {
      await waitFor('the demo to run', () => cli.stdout().includes('jieneng is running'), {
        timeoutMs: 120_000,
        seen: () => cli.stderr().slice(-3000),
      });
      expect(existsSync(join(data, 'alarms.db'))).toBe(true);
      // The length of the run is what is judged: every alarm it raised meanwhile counts.
      await new Promise((r) => setTimeout(r, runSeconds * 1000));
      const db = new AlarmDb(join(data, 'alarms.db'), 'Asia/Shanghai');
      const all = db.list({ status: 'all', limit: 1000 });
      db.close();
      const perRule: Record<string, number> = {};
      for (const a of all) perRule[a.rule] = (perRule[a.rule] ?? 0) + 1;
      console.log(
        `demo, ${runSeconds} s at --speed ${speed}: ${all.length} alarms ${JSON.stringify(perRule)}\n` +
          all.map((a) => `  #${a.id} ${a.rule} ${a.key} ${a.state}: ${a.message}`).join('\n'),
      );
      expect(cli.stderr()).toContain('alarm service running');
      expect(all.map((a) => `${a.rule} ${a.key}: ${a.message}`)).toEqual([]);
    } finally {
      await cli.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
