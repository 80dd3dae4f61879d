import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { JnError } from '../../core/errors.ts';
import type { IntensityReport } from '../../core/reports/report.ts';
import { notesTable } from './detailTables.ts';
import { reportStatusWord } from './labels.ts';
import { missingList, referToList } from './missing.ts';
import type { Table } from './model.ts';
import { originBlock, signatureBlock } from './pdfBlocks.ts';
import { drawTable } from './pdfTable.ts';
import { wrap } from './pdfText.ts';
import { reportTables } from './reportTables.ts';
import { ORIGIN_ROWS } from './tables.ts';

type Doc = InstanceType<typeof PDFDocument>;

/**
 * CJK fonts a PDF can embed, in order of preference. Debian's `fonts-wqy-microhei` (5 MB, installed
 * by scripts/setup) is enough; Noto CJK works too. The PDF's standard fonts have no Chinese glyphs.
 */
// `family` is the PostScript name of the face inside the collection (TTC), as fontkit looks it up.
const CJK_FONTS: { file: string; family: string }[] = [
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKsc-Regular' },
];

/** The first CJK font installed; an error naming the package to install when there is none. */
export function cjkFont(): { file: string; family: string } {
  const found = CJK_FONTS.find((f) => existsSync(f.file));
  if (!found)
    throw new JnError(
      'font_missing',
      `no Chinese font for the PDF: install one with "apt-get install -y fonts-wqy-microhei" (looked for ${CJK_FONTS.map((f) => f.file).join(', ')})`,
    );
  return found;
}

/** The table without the columns the PDF says in its notes instead. */
function forPdf(t: Table): Table {
  const keep = t.columns.map((c) => c.pdf !== false);
  return {
    ...t,
    columns: t.columns.filter((_, i) => keep[i]),
    rows: t.rows.map((row) => row.filter((_, i) => keep[i])),
  };
}

/**
 * The table with every item of the 缺数据清单 said by a reference to it (见缺数据清单), in its
 * cells and notes, each note once: the list itself is the one place that names them.
 */
function referring(t: Table, items: string[]): Table {
  if (t.name === '缺数据' || items.length === 0) return t;
  const say = (s: string) => referToList(s, items);
  return {
    ...t,
    rows: t.rows.map((row) => row.map((c) => (typeof c === 'string' ? say(c) : c))),
    notes: [...new Set(t.notes.map((n) => (items.includes(n) ? '' : say(n))))].filter(Boolean),
  };
}

const digits = '零一二三四五六七八九'.split('');
/** 1 → 一, 10 → 十, 12 → 十二 (enough for a report's sections). */
const chineseNumber = (n: number): string =>
  n < 10
    ? (digits[n] ?? '')
    : `${n >= 20 ? digits[Math.floor(n / 10)] : ''}十${n % 10 ? digits[n % 10] : ''}`;
const MARGIN = 40;

/** A paragraph wrapped by our own line breaker (units stay with their numbers), page breaks included. */
function paragraph(doc: Doc, text: string, size: number, colour = '#333333'): void {
  doc.fontSize(size).fillColor(colour);
  const width = doc.page.width - 2 * MARGIN;
  for (const line of wrap(text, width, (s) => doc.widthOfString(s))) {
    if (doc.y + size * 1.4 > doc.page.height - MARGIN) doc.addPage();
    doc.text(line, MARGIN, doc.y, { lineBreak: false });
    doc.y += size * 1.4;
  }
  doc.fillColor('#000000');
}

function heading(doc: Doc, text: string): void {
  // A heading keeps its table's header and first rows with it (about 110 pt at 8 pt type).
  if (doc.y + 110 > doc.page.height - MARGIN) doc.addPage();
  doc.y += 8;
  doc.fontSize(12).fillColor('#000000').text(text, MARGIN, doc.y, { lineBreak: false });
  doc.y += 18;
}

/** Title, the organization, its overall status in words (a coloured bar beside, never alone), the 摘要 table. */
function titleBlock(doc: Doc, r: IntensityReport, summary: Table, title: string, items: string[]): void {
  doc.fontSize(17).text(title, MARGIN, MARGIN, { lineBreak: false });
  doc.y = MARGIN + 26;
  doc.fontSize(12).fillColor('#333333').text(`${r.organization.name}  ${r.from} 至 ${r.to}`, MARGIN, doc.y, {
    lineBreak: false,
  });
  doc.y += 22;
  const colours: Record<string, string> = {
    on_track: '#1b7a34',
    at_risk: '#b3261e',
    incomplete: '#9a5b00',
    no_target: '#555555',
  };
  const colour = colours[r.status] ?? '#555555';
  const top = doc.y;
  const words = reportStatusWord(r, r.status, r.status_text);
  const said = referToList(r.status_text, items);
  const text = said.startsWith(words) ? said : `${words}。${said}`;
  paragraph(doc, `总体状态：${text}`, 10.5, colour);
  doc.rect(MARGIN - 8, top - 2, 3, doc.y - top).fill(colour);
  doc.fillColor('#000000');
  doc.y += 6;
  drawTable(
    doc,
    // the site file, data directory and store are said in the 数据来源 block at the end
    {
      ...summary,
      rows: summary.rows.filter((row) => row[0] !== '总体状态' && !ORIGIN_ROWS.includes(String(row[0]))),
    },
    {
      fontSize: 9,
      padding: 3,
      header: false,
    },
  );
}

function footer(doc: Doc, r: IntensityReport): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    doc.fontSize(7.5).fillColor('#666666');
    const text = `${r.organization.name} · ${r.from} 至 ${r.to} · 第 ${i + 1} 页 共 ${range.count} 页`;
    const y = doc.page.height - MARGIN + 12;
    doc.text(text, doc.page.width - MARGIN - doc.widthOfString(text), y, { lineBreak: false });
  }
}

/**
 * The report as an A4 PDF an officer can sign and hand on: a title block (organization, inclusive
 * period, basis, coal rate, baseline, plan, date made), then one ruled table per view (see
 * reportTables) with its notes — what is missing listed once, in the 缺数据清单 — the data-quality
 * notes, the signature block (填报人, 审核人, 单位负责人, 填报日期, 单位盖章) and, small at the end, the
 * 数据来源 (site file, data directory, store); Chinese drawn in an
 * embedded CJK font (cjkFont), every missing figure printed as 缺数据, page numbers in the footer.
 */
export function reportPdf(r: IntensityReport, title = '公共机构能源资源消耗强度报告'): Promise<Buffer> {
  const font = cjkFont();
  const made = Date.parse(r.origin.made_at);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: `${title} ${r.organization.name} ${r.from} 至 ${r.to}`,
      Producer: 'jieneng',
      ...(Number.isFinite(made) ? { CreationDate: new Date(made) } : {}),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  doc.registerFont('cjk', font.file, font.family);
  doc.font('cjk');

  const tables = reportTables(r);
  const items = missingList(r).map((m) => m.text);
  const [summary, ...rest] = tables.slice(0, -1);
  if (summary) titleBlock(doc, r, summary, title, items);
  // In the PDF each table's notes are printed under it; the last section keeps the rest.
  const sections = [...rest, notesTable(r, [])].map((t) => referring(t, items));
  sections.forEach((t, i) => {
    heading(doc, `${chineseNumber(i + 1)}、${t.title}`);
    // A table without rows (no projection for a whole year) is said by its note alone.
    if (t.rows.length > 0) drawTable(doc, forPdf(t), { fontSize: 8, padding: 2.5, header: true });
    doc.y += 3;
    for (const n of t.notes) paragraph(doc, `注：${n}`, 7.5);
  });
  signatureBlock(doc, MARGIN);
  originBlock(doc, r, MARGIN);
  footer(doc, r);
  doc.end();
  return done;
}
