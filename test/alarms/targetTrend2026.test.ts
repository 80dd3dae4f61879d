import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataRules } from '../../alarms/rules/data.ts';
import type { Condition } from '../../core/alarms/model.ts';
import { ManualClock } from '../../core/clock.ts';
import { type LoadedSite, loadSite } from '../../core/config/loadSite.ts';
import { createLogger } from '../../core/log.ts';
import type { SiteTargetSet } from '../../core/reports/plans.ts';
import { SqliteStore } from '../../core/store/sqliteStore.ts';
import type { Store } from '../../core/store/store.ts';
import { simulatedHistory } from '../../device-sims/history/history.ts';

/**
 * target_trend in 2026 (issue 18, "Plans as data"): 十四五 ended with 2025 and the 十五五 figures
 * (2026–2030, base 2025) are not published. With nothing in the site file the rule raises nothing
 * and says why once — in the log and in the rule's status the service's health reads — and never
 * judges 2026 against 十四五's figures. With a provincial 十五五 set in the site file it judges
 * against that set. The demo's history (device-sims) in the embedded store, as the collector
 * writes its rollups.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const demo = loadSite(join(import.meta.dirname, '../../examples/demo-site.yaml'));
const at = (local: string) => Date.parse(`${local}+08:00`);
const until = at('2026-12-02T13:20:00');

const withTargets = (targets: SiteTargetSet[]): LoadedSite => ({
  ...demo,
  config: { ...demo.config, reports: { ...demo.config.reports, targets } },
});
/** A provincial set standing in for 十五五: energy per m² −`cut` by 2030 against 2025. */
const fujian = (cut: number): SiteTargetSet => ({
  id: 'fujian-15th',
  name: '福建省十五五公共机构节能目标',
  plan: '15th-five-year',
  level: 'provincial',
  source: '闽机管〔2026〕示例号',
  base_year: 2025,
  end_year: 2030,
  targets: { energy_per_area_kgce_m2: -cut },
  verified: false,
});

let store: Store;
beforeAll(async () => {
  store = new SqliteStore(join(mkdtempSync(join(tmpdir(), 'jn-trend-2026-')), 'jieneng.db'));
  await store.open();
  const rows = simulatedHistory(demo, { from: '2025-01-01', until });
  for (let i = 0; i < rows.length; i += 5000) await store.writeRollups(rows.slice(i, i + 5000));
});
afterAll(() => store.close());

function rulesOn(site: LoadedSite) {
  const reported: Condition[] = [];
  const logged: string[] = [];
  const log = createLogger({ level: 'info', sink: { write: (l) => logged.push(l) } });
  const rules = new DataRules({
    site,
    store,
    clock: new ManualClock(until),
    log,
    report: (c) => reported.push(c),
  });
  const trend = () => reported.filter((c) => c.rule === 'target_trend');
  const status = () => rules.status().find((s) => s.rule === 'target_trend');
  return { rules, trend, status, logged };
}

const UNPUBLISHED =
  'target_trend：十五五目标未发布（十五五公共机构节约能源资源工作规划 2026–2030 年，基准年 2025）：站点文件未配置省、市或本单位目标（reports.targets），未评价达标，不判断 2026 年趋势';

describe('target_trend in 2026', () => {
  it('with no published target and none in the site file: raises nothing, says why once (log and rule status)', async () => {
    expect(demo.config.reports.targets).toEqual([]);
    const { rules, trend, status, logged } = rulesOn(demo);
    // a week of daily judgements, each a new local day
    for (let d = 0; d < 7; d++) await rules.tick(until + d * DAY);
    expect(trend()).toEqual([]);
    const said = logged.filter((l) => l.includes('十五五目标未发布'));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(UNPUBLISHED);
    expect(said[0]).toContain('the 15th-five-year targets (2026–2030, base 2025) are not published');
    expect(status()).toMatchObject({ rule: 'target_trend', enabled: true, judged: 0, active: 0 });
    expect(status()?.notes.filter((n) => n.startsWith(UNPUBLISHED))).toHaveLength(1);
    expect(status()?.error).toBeUndefined();
    // never 十四五's figures as if current
    expect(logged.some((l) => l.includes('十四五'))).toBe(false);
  });

  it('with a provincial 十五五 set in the site file: judged against it (−10 % by 2030 is −2 % due by 2026)', async () => {
    const { rules, trend, status, logged } = rulesOn(withTargets([fujian(0.1)]));
    await rules.tick(until);
    // The demo's energy improves 0.6–1.8 % on 2025: short of the −2.0 % due, every scope at risk.
    const raised = trend()
      .filter((c) => c.active)
      .map((c) => c.key)
      .sort();
    expect(raised).toEqual([
      'dangan-lou/energy_per_area_kgce_m2',
      'fuwu-lou/energy_per_area_kgce_m2',
      'fz-jgswj/energy_per_area_kgce_m2',
      'zonghe-lou/energy_per_area_kgce_m2',
    ]);
    const org = trend().find((c) => c.key === 'fz-jgswj/energy_per_area_kgce_m2');
    expect(org?.message_zh).toMatch(
      /单位建筑面积能耗趋势超目标：2026 年全年预测 [\d.]+ kgce\/m²，较基准年 2025（[\d.]+ kgce\/m²）−\d\.\d %；按进度 2026 年应达 −2\.0 %（福建省十五五公共机构节能目标：2030 年 −10\.0 %）/,
    );
    expect(status()?.notes.some((n) => n.includes('未发布'))).toBe(false);
    expect(logged.some((l) => l.includes('十五五目标未发布'))).toBe(false);
  });

  it('with a lenient site set (−1 % by 2030, −0.2 % due): judged and on track, nothing raised', async () => {
    const { rules, trend } = rulesOn(withTargets([fujian(0.01)]));
    await rules.tick(until);
    const judged = trend();
    expect(judged.map((c) => c.key).sort()).toEqual([
      'dangan-lou/energy_per_area_kgce_m2',
      'fuwu-lou/energy_per_area_kgce_m2',
      'fz-jgswj/energy_per_area_kgce_m2',
      'zonghe-lou/energy_per_area_kgce_m2',
    ]);
    expect(judged.filter((c) => c.active)).toEqual([]);
    expect(judged[0]?.message_zh).toContain('在进度内');
  });
});
