import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { itemCode, meterItemCode } from '../../core/itemCodes/itemCodes.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { aggregate } from '../../core/rollup/aggregate.ts';
import type { RollupRow } from '../../core/store/store.ts';

type CodeRow = IntensityReport['item_codes'][number];
type Subitem = IntensityReport['subitems'][number];

/**
 * Electricity by item code (分项编码) over a period: the sub-meters `subitemsOf` counts, each by its
 * code, with the coverage of its meters; a code whose meters reported nothing is listed as missing
 * (null, 缺数据) as its sub-item is; the virtual other is the 分项 breakdown's own row, so the codes
 * of a sub-item add up to it and both breakdowns end on the same remainder.
 */
export function itemCodesOf(
  rows: readonly RollupRow[],
  site: SiteConfig,
  subitems: readonly Subitem[],
  days: number,
): CodeRow[] {
  const daysOf = new Map<string, Set<number>>();
  for (const r of rows) daysOf.set(r.meter, (daysOf.get(r.meter) ?? new Set()).add(r.start));
  const reported = (id: string) => Math.min(days, daysOf.get(id)?.size ?? 0);
  const subMeters = site.meters.filter((m) => m.category === 'electricity' && m.role === 'sub' && m.subitem);
  const metersOf = (code: string) => subMeters.filter((m) => meterItemCode(m) === code);
  const summed = new Map(
    aggregate(rows, site, 'item_code')
      .filter((x) => !x.virtual)
      .map((x) => [x.key, x]),
  );
  const codes = [...new Set(subMeters.map((m) => meterItemCode(m)))].sort();
  const out: CodeRow[] = codes.map((code) => {
    const own = metersOf(code);
    const entry = itemCode(code);
    const x = summed.get(code);
    const silent = own.filter((m) => reported(m.id) < days);
    const names = (ms: typeof own) =>
      ms.map((m) => `${m.name ?? m.id} ${reported(m.id)}/${days} 天`).join('、');
    const row: CodeRow = {
      code,
      name: entry?.name ?? code,
      parent: entry?.parent ?? null,
      subitem: own[0]?.subitem ?? null,
      value: x ? x.value : null,
      estimated: x ? x.estimated : 0,
      unit: x?.unit ?? 'kWh',
      coverage:
        own.length === 0 || days === 0
          ? 1
          : own.reduce((a, m) => a + reported(m.id), 0) / (own.length * days),
    };
    const notes = [
      x ? '' : `缺数据：${own.map((m) => m.name ?? m.id).join('、')} 本期无数据`,
      x && silent.length > 0 ? `不完整：${names(silent)}` : '',
      entry && !entry.verified ? `编码 ${code} 未经核实（${entry.note ?? 'itemCodes.yaml'}）` : '',
    ].filter(Boolean);
    if (notes.length > 0) row.note = notes.join('；');
    return row;
  });
  const other = subitems.find((x) => x.virtual);
  if (other) {
    const { key: _key, ...rest } = other;
    out.push({ code: 'other', name: '其他（未分项计量）', parent: '01000', subitem: null, ...rest });
  }
  return out;
}
