import { describe, expect, it } from 'vitest';
import { bindUnits, printable, tokens, wrap } from './pdfText.ts';

// A monospace stand-in for the font: a Chinese character is 2 units wide, anything else 1.
const measure = (s: string) => [...s].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0);

describe('PDF line breaking', () => {
  it('keeps a unit with its number', () => {
    expect(bindUnits('单位面积能耗 14.089 kgce/m²')).toBe('单位面积能耗 14.089\u00a0kgce/m²');
    // "变化 -6.04 % 14.089 kgce/m²" at width 16: "14.089 kgce/m²" (14 wide) moves down whole
    expect(wrap('变化 -6.04 % 14.089 kgce/m²', 16, measure)).toEqual(['变化 -6.04 %', '14.089 kgce/m²']);
    expect(wrap('用能人数 350.4 人', 12, measure)).toEqual(['用能人数', '350.4 人']);
  });

  it('breaks Chinese between characters but not before closing punctuation', () => {
    // 6 wide: three characters a line; "，" stays with the character before it
    expect(wrap('数据不完整，不判定', 6, measure)).toEqual(['数据不', '完整，', '不判定']);
    expect(tokens('档案楼（archive）')).toEqual(['档', '案', '楼', '（archive）']);
  });

  it('cuts a path longer than the column instead of letting it overflow', () => {
    const lines = wrap('/var/lib/jieneng/jieneng.db', 10, measure);
    expect(lines).toEqual(['/var/lib/j', 'ieneng/jie', 'neng.db']);
    for (const l of lines) expect(measure(l)).toBeLessThanOrEqual(10);
  });

  it('writes ℃, which the embedded font draws as nothing, as °C', () => {
    expect(printable('20 ℃ 密度')).toBe('20 °C 密度');
  });
});
