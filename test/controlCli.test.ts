import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (out += t) });
  return { code, out };
}

describe('jieneng schedules preview', () => {
  it('lists what the demo site’s schedules do around 国庆 2025, on the working calendar', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'jn-preview-cli-'));
    const { code, out } = await run([
      'schedules',
      'preview',
      '--from',
      '2025-09-27',
      '--days',
      '6',
      '--data-dir',
      dataDir,
    ]);
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toContain(
      '2025-09-28 08:00  zonghe-lou-f1-3-ac/on_off ← 1 (p16)  zonghe-office-ac  workday (补班 国庆节)',
    );
    expect(lines.some((l) => l.startsWith('2025-09-27'))).toBe(false); // an ordinary Saturday
    expect(lines.some((l) => l.startsWith('2025-10-0') && l.includes('on_off'))).toBe(false); // 国庆
    expect(lines.at(-1)).toBe(`${lines.length - 1} action(s) from 2025-09-27 over 6 day(s)`);
    const bad = await run(['schedules', 'preview', '--days', '0', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(/--days 0: a whole number of days, 1–366/);
  });
});
