import type { SiteConfig } from '../../core/config/siteSchema.ts';
import type { BuildingFact } from '../../core/reports/report.ts';
import type { BasicField, CheckItem } from '../../core/reports/statistics.ts';
import { dateOf, dayNumber } from '../figures/dates.ts';

type Building = SiteConfig['organization']['buildings'][number];
type Dated = { from: string; value: number }[];

/** The dated value in force on `day` (the latest on or before it), or null. */
function valueOn(steps: { from: number; value: number; prio?: number }[], day: number): number | null {
  let best: { from: number; value: number; prio?: number } | null = null;
  const later = (a: typeof best & {}, b: typeof best & {}) =>
    a.from > b.from || (a.from === b.from && (a.prio ?? 0) >= (b.prio ?? 0));
  for (const s of steps) if (s.from <= day && (!best || later(s, best))) best = s;
  return best ? best.value : null;
}

/** A building's floor area or headcount on `day`: the site file's dated values, then the ledger's facts (same date: the fact). */
export function buildingValueOn(
  b: Building,
  facts: readonly BuildingFact[],
  key: 'floor_area' | 'headcount',
  day: number,
): number | null {
  const steps: { from: number; value: number; prio?: number }[] = b[key].map((f) => ({
    from: dayNumber(f.from),
    value: f.value,
  }));
  for (const f of facts)
    if (f.building === b.id)
      steps.push({
        from: dayNumber(f.effective_from),
        prio: 1, // an imported fact replaces the site file's value of the same day
        value: key === 'floor_area' ? f.floor_area_m2 : f.headcount,
      });
  return valueOn(steps, day);
}

const dated = (d: Dated | undefined, day: number) =>
  d
    ? valueOn(
        d.map((x) => ({ from: dayNumber(x.from), value: x.value })),
        day,
      )
    : null;

/**
 * 公共机构基本信息 for the year: 单位名称, 单位性质, 建筑面积 and 用能人数 (the buildings' on the
 * year's last day), 编制人数 and 使用人数 (the site file's `reports.statistics`), and a check item for
 * each that is missing. `used`: the buildings with energy in the year (their floor area is needed).
 */
export function basicInformation(
  site: SiteConfig,
  facts: readonly BuildingFact[],
  year: number,
  used: ReadonlySet<string>,
): { basic: BasicField[]; checks: CheckItem[] } {
  const last = dayNumber(`${year}-12-31`);
  const end = dateOf(last);
  const checks: CheckItem[] = [];
  const stat = site.reports.statistics;
  const nature = stat.unit_nature;
  if (!nature)
    checks.push({
      kind: 'unit_nature',
      text: '单位性质未填：在站点文件 reports.statistics.unit_nature 写明代码与名称（如 01 国家机关）',
    });
  const sum = (key: 'floor_area' | 'headcount', label: string, unit: string, kind: CheckItem['kind']) => {
    let total = 0;
    let missing = false;
    for (const b of site.organization.buildings) {
      const v = buildingValueOn(b, facts, key, last);
      if (v !== null) total += v;
      else if (used.has(b.id) || key === 'headcount') {
        missing = true;
        checks.push({
          kind,
          building: b.id,
          text: `建筑「${b.name}」（${b.id}）：${end} 无${label}${used.has(b.id) ? `，而本年有用能记录` : ''}；在站点文件或台账（建筑信息）中补录`,
        });
      }
    }
    return {
      label,
      value: missing ? null : total,
      unit,
      text: missing ? `缺数据：部分建筑无${label}` : `各建筑 ${end} 的${label}之和`,
    };
  };
  const people = (d: Dated | undefined, label: string, path: string): BasicField => {
    const v = dated(d, last);
    if (v === null)
      checks.push({
        kind: 'people',
        text: `${label}未填：在站点文件 reports.statistics.${path} 写明（含生效日期与来源）`,
      });
    return { label, value: v, unit: '人', text: v === null ? '缺数据' : `${end} 的数值（站点文件）` };
  };
  const basic: BasicField[] = [
    { label: '单位名称', value: site.organization.name, unit: '', text: '站点文件 organization.name' },
    {
      label: '单位性质',
      value: nature ? `${nature.code} ${nature.name}` : null,
      unit: '',
      text: nature ? '站点文件 reports.statistics.unit_nature（代码未核对现行表式）' : '缺数据',
    },
    sum('floor_area', '建筑面积', 'm²', 'floor_area'),
    sum('headcount', '用能人数', '人', 'people'),
    people(stat.staff_quota, '编制人数', 'staff_quota'),
    people(stat.users, '使用人数', 'users'),
  ];
  return { basic, checks };
}
