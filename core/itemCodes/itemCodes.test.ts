import { describe, expect, it } from 'vitest';
import {
  allowedItemCodes,
  itemCode,
  itemCodeTable,
  levelOf,
  meterItemCode,
  subitemLevelCode,
} from './itemCodes.ts';

describe('the item-code table (itemCodes.yaml)', () => {
  it('has every entry under an existing parent, in its parent’s category and sub-item', () => {
    for (const c of itemCodeTable.codes) {
      if (c.parent === null) {
        expect(levelOf(c.code), c.code).toBe('category');
        continue;
      }
      const parent = itemCode(c.parent);
      expect(parent, `${c.code}: parent ${c.parent}`).toBeDefined();
      expect(parent?.category, c.code).toBe(c.category);
      if (parent?.subitem) expect(c.subitem, c.code).toBe(parent.subitem);
      // A child shares its parent's characters down to the parent's level (01B1A under 01B10).
      const kept = { category: 2, subitem: 3, level1: 4, level2: 5 }[levelOf(c.parent)];
      expect(c.code.slice(0, kept), c.code).toBe(c.parent.slice(0, kept));
    }
  });

  it('codes the structure of domain-facts-2: 13 categories, 4 sub-items, 01D60 unverified', () => {
    const at = (level: string) =>
      itemCodeTable.codes.filter((c) => levelOf(c.code) === level).map((c) => c.code);
    expect(at('category')).toHaveLength(13);
    expect(at('subitem')).toEqual(['01A00', '01B00', '01C00', '01D00']);
    expect(at('level2')).toEqual(['01B1A', '01B1B', '01B1C', '01B1D', '01B1E', '01B1F']);
    expect(itemCodeTable.codes.filter((c) => !c.verified).map((c) => c.code)).toEqual(['01D60']);
    expect(itemCode('01A00')?.name).toBe('照明插座用电');
    expect(itemCode('01B00')?.name).toBe('空调用电');
    expect(itemCode('02000')?.name).toBe('水');
    expect(itemCode('03000')?.name).toBe('燃气');
  });

  it('derives a meter’s code from its sub-item, else its category; rolls codes up to the sub-item', () => {
    expect(meterItemCode({ category: 'electricity', role: 'sub', subitem: 'hvac' })).toBe('01B00');
    expect(meterItemCode({ category: 'electricity', role: 'main' })).toBe('01000');
    expect(meterItemCode({ category: 'water', role: 'main' })).toBe('02000');
    expect(meterItemCode({ category: 'electricity', role: 'sub', subitem: 'hvac', item_code: '01B1C' })).toBe(
      '01B1C',
    );
    expect(subitemLevelCode('01B1C')).toBe('01B00');
    expect(subitemLevelCode('01D10')).toBe('01D00');
    expect(subitemLevelCode('01000')).toBe('01000');
    expect(allowedItemCodes({ category: 'gas', role: 'main' }).map((c) => c.code)).toEqual(['03000']);
  });
});
