import { allowedItemCodes, type ItemCode, itemCode, subitemItemCode } from '../itemCodes/itemCodes.ts';
import type { MeterConfig } from './siteSchema.ts';

const categoryNames: Record<MeterConfig['category'], string> = {
  electricity: '电',
  water: '水',
  gas: '燃气',
  heat: '热',
  cooling: '冷',
  other: '其他',
};
const subitemNames: Record<NonNullable<MeterConfig['subitem']>, string> = {
  lighting_socket: '照明插座',
  hvac: '空调',
  power: '动力',
  special: '特殊',
};

/** `01B00 空调用电、01B10 冷热站…` and `01B00, 01B10 …`: what a meter may carry, in both languages. */
function allowedText(allowed: readonly ItemCode[]): { zh: string; en: string } {
  return {
    zh: allowed.map((c) => `${c.code} ${c.name}`).join('、'),
    en: allowed.map((c) => c.code).join(', '),
  };
}

/**
 * Why a meter's `item_code` is wrong, Chinese first, English after; undefined when it is right (or
 * absent: it is then derived from the sub-item or category, core/itemCodes/itemCodes.ts).
 */
export function itemCodeProblem(meter: MeterConfig): string | undefined {
  const code = meter.item_code;
  if (code === undefined) return undefined;
  const allowed = allowedItemCodes(meter);
  if (allowed.some((c) => c.code === code)) return undefined;
  const ok = allowedText(allowed);
  const tail = { zh: `允许：${ok.zh}`, en: `allowed: ${ok.en}` };
  const said = (zh: string, en: string) =>
    `计量表 "${meter.id}" 的分项编码 "${code}"${zh}；${tail.zh} — meter "${meter.id}": item code "${code}" ${en}; ${tail.en}`;
  const entry = itemCode(code);
  if (!entry)
    return said(
      ' 不在 2008 分项能耗数据采集技术导则的编码表中（core/itemCodes/itemCodes.yaml）',
      'is not a code of the 2008 分项能耗数据采集技术导则',
    );
  const named = `（${entry.name}）`;
  if (entry.category !== meter.category)
    return said(
      `${named}是${categoryNames[entry.category]}的编码，本表分类为${categoryNames[meter.category]}（${meter.category}）`,
      `(${entry.en}) is a ${entry.category} code; the meter's category is ${meter.category}`,
    );
  if (meter.role === 'main')
    return said(
      `${named}是分项的编码；总表（role: main）计量整个分类`,
      `(${entry.en}) is a sub-item code; a main meter (role: main) measures its whole category`,
    );
  if (meter.subitem && entry.subitem)
    return said(
      `${named}属于${subitemNames[entry.subitem]}（${entry.subitem}），与本表的分项 subitem: ${meter.subitem}（${subitemNames[meter.subitem]}）矛盾`,
      `(${entry.en}) is under ${entry.subitem}, which contradicts the meter's subitem ${meter.subitem}`,
    );
  if (meter.subitem)
    return said(
      `${named}不属于本表的分项 subitem: ${meter.subitem}（应为 ${subitemItemCode(meter.subitem)} 或其下级）`,
      `(${entry.en}) is not under the meter's subitem ${meter.subitem} (${subitemItemCode(meter.subitem)} or below)`,
    );
  const sub = entry.subitem ?? 'lighting_socket';
  return said(
    `${named}属于${subitemNames[sub]}，但本表没有分项：请同时写 subitem: ${sub}（分项报表按 subitem 统计，编码不推出分项）`,
    `(${entry.en}) is under ${sub} but the meter has no subitem: add subitem: ${sub} (the 分项 reports read subitem; a code does not set it)`,
  );
}
