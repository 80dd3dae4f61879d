import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import type { IntensityReport } from '../../core/reports/report.ts';
import { intensityReport } from '../figures/intensity.ts';
import { renderReport } from './render.ts';
import { sampleInput, sampleReport } from './sampleInput.ts';

/** A4 in points, and the PDF's margin (pdf.ts). */
const A4 = { width: 595.28, height: 841.89, margin: 40 };

interface Word {
  page: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  text: string;
}

/** The PDF's words with their boxes (pdftotext -bbox), to see what lies where on the page. */
async function pdfWords(r: IntensityReport): Promise<Word[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'jieneng-pdf-')), 'r.pdf');
  writeFileSync(file, await renderReport(r, 'pdf'));
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  const words: Word[] = [];
  let page = 0;
  for (const line of html.split('\n')) {
    if (line.includes('<page ')) page++;
    const m = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/.exec(
      line,
    );
    if (m)
      words.push({
        page,
        x1: +(m[1] ?? 0),
        y1: +(m[2] ?? 0),
        x2: +(m[3] ?? 0),
        y2: +(m[4] ?? 0),
        text: m[5] ?? '',
      });
  }
  return words;
}

/** The text of a page in reading order: top to bottom, left to right. */
const pageText = (words: Word[], page: number) =>
  words
    .filter((w) => w.page === page)
    .sort((a, b) => Math.round(a.y1) - Math.round(b.y1) || a.x1 - b.x1)
    .map((w) => w.text)
    .join(' ');

/** Every word inside the page's margins, except the footer line under the bottom margin. */
function expectInsideMargins(words: Word[]): void {
  for (const w of words) {
    expect(w.x1, `"${w.text}" on page ${w.page}`).toBeGreaterThanOrEqual(A4.margin - 9);
    expect(w.x2, `"${w.text}" on page ${w.page}`).toBeLessThanOrEqual(A4.width - A4.margin + 0.5);
    if (w.y2 > A4.height - A4.margin)
      expect(w.y1, `"${w.text}" on page ${w.page}`).toBeGreaterThan(A4.height - A4.margin + 5);
  }
  const footer = words.filter((w) => w.y1 > A4.height - A4.margin);
  for (const page of new Set(footer.map((w) => w.page)))
    expect(pageText(footer, page)).toMatch(/第 \d+ 页 共 \d+ 页$/);
}

describe('the PDF on the page', () => {
  it('keeps every word inside the margins and repeats the header of a table that runs over pages', async () => {
    const r = sampleReport({ missingBill: true });
    // 120 entries: the 填报数据 table runs over several pages; one note is longer than a page
    const first = r.entries_used[0];
    if (first)
      r.entries_used = Array.from({ length: 120 }, (_, i) => ({ ...first, source: `账单 第 ${i + 1} 张` }));
    r.organization.notes = ['很长的说明。'.repeat(900)];
    const words = await pdfWords(r);
    expectInsideMargins(words);
    const pages = Math.max(...words.map((w) => w.page));
    const withHeader = Array.from({ length: pages }, (_, i) => i + 1).filter((p) =>
      /建筑 能源 账期 填报量 折算量 计入量 单位 计入期间 来源与换算/.test(pageText(words, p)),
    );
    expect(withHeader.length).toBeGreaterThanOrEqual(3);
    expect(pageText(words, pages)).toContain('很长的说明。');
  });

  it('lays out a month, a quarter, a half year and a custom range inside the margins', async () => {
    for (const [from, to] of [
      ['2025-01-01', '2025-01-31'],
      ['2025-04-01', '2025-06-30'],
      ['2025-01-01', '2025-06-30'],
      ['2025-03-15', '2025-04-20'],
    ] as const) {
      const r = intensityReport({ ...sampleInput({ missingBill: true }), from, to });
      const words = await pdfWords(r);
      expectInsideMargins(words);
      // the period as typed, both days included, in the title and the footer of every page
      expect(pageText(words, 1)).toContain(`${from} 至 ${to}`);
    }
  });

  it('shows a year to date with its projection, method, coverage and warning', async () => {
    // 2025-01-01 to 2025-06-29 on 2025-06-30: 180 days, projected × 365 / 180
    const r = intensityReport({ ...sampleInput(), to: '2025-06-29', today: '2025-06-30' });
    const words = await pdfWords(r);
    const text = words.map((w) => w.text).join(' ');
    expect(text).toContain('2025 年全年预测');
    expect(text).toContain('方法：按天线性外推。');
    expect(text).toContain('上年同期覆盖率 0.00%');
    expect(text).toContain('注意：上年数据覆盖不足');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await renderReport(r, 'xlsx')) as unknown as Parameters<typeof book.xlsx.load>[0]);
    const sheet = book.getWorksheet('预测');
    const days = sheet?.getRow(3).values as unknown[];
    expect(days.slice(1, 3)).toEqual(['已过天数', 180]);
  });

  it('says a year of the unpublished 十五五 is measured against 2025 with no target, and its figures are missing, not 0', async () => {
    const r = intensityReport({
      ...sampleInput(),
      from: '2026-01-01',
      to: '2026-12-31',
      today: '2027-01-10',
      baselineYear: undefined,
    });
    const text = (await pdfWords(r)).map((w) => w.text).join(' ');
    expect(text).toContain(
      '对照规划 十五五公共机构节约能源资源工作规划（2026–2030 年，基准年 2025，目标未发布）',
    );
    expect(text).toContain('基准年 2025');
    // the target columns say why there is none; never 十四五's figures or 2020 levels
    expect(text).toMatch(
      /单位建筑面积能耗 kgce\/m² 缺数据 14\.110 缺数据 十五五目标未发布 十五五目标未发布 数据不完整/,
    );
    expect(text).not.toContain('十四五');
    expect(text).not.toContain('进度内');
    expect(text).not.toMatch(/综合楼 \(hq\) 12,000 350\.4 0\.00/);
    // 400 人 all year: a whole headcount prints without decimals
    expect(text).toMatch(/综合楼 \(hq\) 12,000 400 缺数据 缺数据/);
  });
});
