import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The national energy-item codes (能耗分项编码) of the 2008 分项能耗数据采集技术导则, read from
 * `itemCodes.yaml` (the data, with a source and a verified flag per entry). A meter's code is its
 * `item_code`, or — when the site file has none — the code of its 分项 (`subitem`), else of its
 * 分类 (`category`): the code is derived from the sub-item, never the sub-item from the code.
 */

const categories = ['electricity', 'water', 'gas', 'heat', 'cooling', 'other'] as const;
const subitems = ['lighting_socket', 'hvac', 'power', 'special'] as const;
type Category = (typeof categories)[number];
type Subitem = (typeof subitems)[number];

/** 2-digit category + sub-item letter A–D (0: none) + level-1 digit + level-2 letter (0: none). */
const codePattern = /^\d{2}[0A-D]\d[0A-Z]$/;

const entrySchema = z
  .object({
    code: z.string().regex(codePattern),
    name: z.string().min(1).describe('Chinese name as in the 导则'),
    en: z.string().min(1),
    category: z.enum(categories).describe('The site file category a meter with this code has'),
    subitem: z.enum(subitems).optional().describe('The site file subitem a meter with this code has'),
    parent: z.string().regex(codePattern).nullable().describe('The code this one rolls up into'),
    verified: z.boolean(),
    portable: z
      .boolean()
      .default(true)
      .describe('false below the sub-item level: vendors number it differently'),
    note: z.string().optional(),
  })
  .strict();
const fileSchema = z
  .object({ version: z.literal(1), source: z.string(), codes: z.array(entrySchema) })
  .strict();

export type ItemCode = z.infer<typeof entrySchema>;

function load(): { source: string; codes: ItemCode[] } {
  const path = join(import.meta.dirname, 'itemCodes.yaml');
  const parsed = fileSchema.safeParse(parse(readFileSync(path, 'utf8')));
  if (!parsed.success)
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return parsed.data;
}

/** The code table (immutable data, read once). */
export const itemCodeTable: { readonly source: string; readonly codes: readonly ItemCode[] } = load();
const byCode = new Map(itemCodeTable.codes.map((c) => [c.code, c]));

/** The entry of a code, undefined when the 导则 has no such code. */
export function itemCode(code: string): ItemCode | undefined {
  return byCode.get(code);
}

/** `01A00 照明插座用电`; an unknown code as it is. */
export function itemCodeLabel(code: string): string {
  const c = byCode.get(code);
  return c ? `${c.code} ${c.name}` : code;
}

/** The code of a 分项: lighting_socket → 01A00, hvac → 01B00, power → 01C00, special → 01D00; else undefined. */
export function subitemItemCode(subitem: string): string | undefined {
  return itemCodeTable.codes.find((e) => e.subitem === subitem && levelOf(e.code) === 'subitem')?.code;
}

/** The first category-level code of a 分类: electricity → 01000, water → 02000, other → 06000. */
export function categoryItemCode(category: Category): string {
  const c = itemCodeTable.codes.find((e) => e.category === category && e.parent === null);
  if (!c) throw new Error(`itemCodes.yaml has no category code for ${category}`);
  return c.code;
}

export type ItemCodeLevel = 'category' | 'subitem' | 'level1' | 'level2';

/** Which level a code is at: 01000 category, 01A00 subitem (分项), 01A10 level1 (一级子项), 01B1A level2 (二级子项). */
export function levelOf(code: string): ItemCodeLevel {
  if (code.slice(2) === '000') return 'category';
  if (code.slice(3) === '00') return 'subitem';
  if (code[4] === '0') return 'level1';
  return 'level2';
}

/** The meter fields a code is checked against and derived from. */
export interface CodedMeter {
  category: Category;
  subitem?: Subitem | undefined;
  role: 'main' | 'sub';
  item_code?: string | undefined;
}

/** A meter's code: its item_code, else its 分项's (electricity sub-meters), else its 分类's. */
export function meterItemCode(meter: CodedMeter): string {
  if (meter.item_code !== undefined) return meter.item_code;
  const bySubitem =
    meter.category === 'electricity' && meter.role === 'sub' && meter.subitem
      ? subitemItemCode(meter.subitem)
      : undefined;
  return bySubitem ?? categoryItemCode(meter.category);
}

/** The code's ancestor at the sub-item level (01B1C → 01B00), or the code itself above it (01000). */
export function subitemLevelCode(code: string): string {
  let c = byCode.get(code);
  while (c && (levelOf(c.code) === 'level1' || levelOf(c.code) === 'level2') && c.parent)
    c = byCode.get(c.parent);
  return c?.code ?? code;
}

/**
 * The codes a meter may carry: a main meter (总表) measures its whole 分类, so a category code; an
 * electricity sub-meter with a 分项, that sub-item's codes; without one, 01000 (a sub-item code
 * would not reach the 分项 reports, which read `subitem`); other sub-meters, their 分类's codes.
 */
export function allowedItemCodes(meter: Omit<CodedMeter, 'item_code'>): ItemCode[] {
  return itemCodeTable.codes.filter((c) => {
    if (c.category !== meter.category) return false;
    if (meter.role === 'main' || meter.category !== 'electricity') return c.parent === null;
    if (meter.subitem) return c.subitem === meter.subitem;
    return c.parent === null;
  });
}

/**
 * `item_code` of a meter in the site file. YAML reads an unquoted 01000 as the number 1000, and
 * 01E10 as 1E10: a whole number whose five digits are a code is taken back to it (1000 → "01000"),
 * any other number is refused asking for quotes.
 */
export const itemCodeSchema = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    if (typeof v === 'string') return v;
    const digits = Number.isInteger(v) && v >= 0 ? String(v).padStart(5, '0') : '';
    if (byCode.has(digits)) return digits;
    ctx.addIssue({
      code: 'custom',
      message: `YAML 把这个分项编码读成了数字 ${v}：请加引号，例如 item_code: "01B10" — YAML read this item code as the number ${v} (01E10 reads as 1E10): write it in quotes, e.g. item_code: "01B10"`,
    });
    return z.NEVER;
  })
  .describe(
    '分项编码: national energy-item code of the 2008 分项能耗数据采集技术导则, e.g. "01000" 电 (a main meter), "01B00" 空调用电, "01B1C" 冷机, "02000" 水 (core/itemCodes/itemCodes.yaml lists them). Default: the code of the meter’s subitem (01A00, 01B00, 01C00, 01D00), else of its category (01000, 02000, 03000, 04000, 05000, 06000)',
  );
