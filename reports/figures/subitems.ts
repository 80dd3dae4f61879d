import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { subitemItemCode } from '../../core/itemCodes/itemCodes.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import type { RollupRow } from '../../core/store/store.ts';

type Subitem = IntensityReport['subitems'][number];

/** Per building with electricity main meters: the days on which every one of them reported. */
function mainDays(rows: readonly RollupRow[], site: SiteConfig, days: number) {
  return site.organization.buildings.flatMap((b) => {
    const mains = site.meters.filter(
      (m) => m.building === b.id && m.category === 'electricity' && m.role === 'main',
    );
    if (mains.length === 0) return [];
    const per = mains.map((m) => new Set(rows.filter((r) => r.meter === m.id).map((r) => r.start)));
    const all = [...(per[0] ?? [])].filter((d) => per.every((s) => s.has(d)));
    return [
      { name: b.name, meters: mains.map((m) => m.name ?? m.id).join('、'), days: Math.min(days, all.length) },
    ];
  });
}

/**
 * Electricity by 分项 over a period from the sub-meters' daily rollups, with the virtual `other`
 * (main − Σ sub-meters), and the coverage of each: a sub-item whose meters reported nothing is
 * listed as missing (value null) instead of dropping out, and `other` says which sub-meters' missing
 * days it absorbed — main − Σ subs counts a silent sub-meter's use as 其他/未计量. Each sub-item
 * carries its national code (item_code, 01A00 …).
 */
export function subitemsOf(rows: readonly RollupRow[], site: SiteConfig, days: number): Subitem[] {
  const daysOf = new Map<string, Set<number>>();
  for (const r of rows) daysOf.set(r.meter, (daysOf.get(r.meter) ?? new Set()).add(r.start));
  const subMeters = site.meters.filter((m) => m.category === 'electricity' && m.role === 'sub' && m.subitem);
  const reported = (id: string) => Math.min(days, daysOf.get(id)?.size ?? 0);
  const short = subMeters.filter((m) => reported(m.id) < days);
  const share = (ms: typeof subMeters) =>
    ms.length === 0 || days === 0 ? 1 : ms.reduce((a, m) => a + reported(m.id), 0) / (ms.length * days);
  const out: Subitem[] = aggregate(rows, site, 'subitem').map(({ category: _c, ...rest }) => rest);
  const mains = site.meters.filter((m) => m.category === 'electricity' && m.role === 'main');
  const main = mainDays(rows, site, days);
  const silent = main.filter((b) => b.days === 0);
  for (const x of out) {
    if (x.virtual && (mains.length === 0 || silent.length > 0)) {
      // main − Σ subs without a main meter's day is unknown, not 0 (nor minus the sub-meters): per building
      x.value = null;
      x.estimated = 0;
      x.coverage = 0;
      const which = silent.map((b) => `${b.name} 总表（${b.meters}）`).join('、');
      x.note = `缺数据：${mains.length === 0 ? '总表' : which}本期无数据，其他/未计量无法计算`;
    } else if (x.virtual) {
      // its coverage rests on each building's main-meter days (second review, defect 5)
      x.coverage = main.reduce((a, b) => a + b.days, 0) / (main.length * days || 1);
      const partial = main.filter((b) => b.days < days);
      if (partial.length > 0)
        x.note = [x.note, `不完整：${partial.map((b) => `${b.name} 总表 ${b.days}/${days} 天`).join('、')}`]
          .filter(Boolean)
          .join('；');
      if (short.length > 0) {
        const which = short.map((m) => `${m.name ?? m.id} ${reported(m.id)}/${days} 天`).join('、');
        x.note = [x.note, `含未上报分项表的用电（${which}），非全部为未计量`].filter(Boolean).join('；');
      }
    } else {
      const own = subMeters.filter((m) => m.subitem === x.key);
      x.coverage = share(own);
      const silent = own.filter((m) => reported(m.id) < days);
      if (silent.length > 0)
        x.note = [
          x.note,
          `不完整：${silent.map((m) => `${m.name ?? m.id} ${reported(m.id)}/${days} 天`).join('、')}`,
        ]
          .filter(Boolean)
          .join('；');
    }
  }
  const present = new Set(out.map((x) => x.key));
  const missing = [...new Set(subMeters.map((m) => m.subitem as string))].filter((k) => !present.has(k));
  const at = out.findIndex((x) => x.virtual);
  const missingRows: Subitem[] = missing.map((key) => ({
    key,
    value: null,
    estimated: 0,
    unit: 'kWh',
    coverage: 0,
    note: `缺数据：${subMeters
      .filter((m) => m.subitem === key)
      .map((m) => m.name ?? m.id)
      .join('、')} 本期无数据`,
  }));
  out.splice(at < 0 ? out.length : at, 0, ...missingRows);
  // each sub-item labelled with its national code (分项编码: 01A00 …), the virtual other has none
  return out.map((x) => {
    const code = x.virtual ? undefined : subitemItemCode(x.key);
    return code ? { key: x.key, item_code: code, ...rest(x) } : x;
  });
}

const rest = ({ key: _key, ...others }: Subitem) => others;
