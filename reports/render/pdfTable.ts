import type PDFDocument from 'pdfkit';
import { statusNames } from './labels.ts';
import { type Column, cellText, isAbsent, type Table } from './model.ts';
import { type Measure, naturalWidth, widestToken, wrap } from './pdfText.ts';

type Doc = InstanceType<typeof PDFDocument>;

/** Colours of the status words; the words carry the meaning, the colour only helps. */
const statusColours: Record<string, string> = {
  [statusNames.on_track]: '#1b7a34',
  [statusNames.at_risk]: '#b3261e',
  [statusNames.incomplete]: '#9a5b00',
  [statusNames.no_target]: '#555555',
};
const GREY = '#666666';
const RULE = '#9e9e9e';

export interface TableStyle {
  /** Font size to start from, in points; shrunk (down to 6 pt) until the unbreakable pieces fit. */
  fontSize: number;
  padding: number;
  /** Draw the header row (and repeat it on each page the table continues on). */
  header: boolean;
}

const isNumeric = (c: Column) => c.kind !== 'text';
const headerLabel = (c: Column) => (c.unit ? `${c.header}\n${c.unit}` : c.header);

/**
 * Column widths for the page: each column's natural width when they all fit. Else each column gets
 * a least width — a number column its widest number (its header may wrap), a short text (up to
 * eight characters, like 达标进度内) its whole width, a longer one its widest unbreakable piece —
 * and the rest is shared out by how much more each would like. null when even that does not fit.
 */
function columnWidths(
  t: Table,
  texts: string[][],
  measure: Measure,
  width: number,
  pad: number,
): number[] | null {
  const cells = (i: number, f: (s: string, m: Measure) => number) =>
    texts.map((row) => f(row[i] ?? '', measure));
  const header = t.columns.map(headerLabel);
  const natural = t.columns.map((_, i) =>
    Math.max(naturalWidth(header[i] ?? '', measure), ...cells(i, naturalWidth)),
  );
  const cap = measure('八个汉字八个汉字');
  const least = t.columns.map((c, i) => {
    const widest = Math.max(widestToken(header[i] ?? '', measure), ...cells(i, widestToken));
    // A number column is as wide as its widest number and a header word of up to four characters.
    const head = Math.min(cap / 2, naturalWidth(header[i] ?? '', measure));
    if (isNumeric(c)) return Math.max(widest, head, ...cells(i, naturalWidth));
    return (natural[i] ?? 0) <= cap ? (natural[i] ?? 0) : Math.min(widest, cap);
  });
  const inner = width - 2 * pad * t.columns.length;
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  if (sum(least) > inner) return null;
  const grow = natural.map((n, i) => n - (least[i] ?? 0));
  const spare = inner - sum(least);
  const wanted = sum(grow);
  if (wanted <= spare) {
    // Everything fits on one line: the slack goes to the text columns (or all when there are none).
    const textCols = t.columns.filter((c) => !isNumeric(c)).length;
    const extra = (spare - wanted) / (textCols || t.columns.length);
    return natural.map(
      (n, i) => n + 2 * pad + (textCols === 0 || !isNumeric(t.columns[i] as Column) ? extra : 0),
    );
  }
  return least.map((l, i) => l + ((grow[i] ?? 0) / wanted) * spare + 2 * pad);
}

function layout(doc: Doc, t: Table, texts: string[][], width: number, style: TableStyle) {
  for (let size = style.fontSize; size >= 6; size -= 0.5) {
    doc.fontSize(size);
    const measure: Measure = (s) => doc.widthOfString(s);
    const widths = columnWidths(t, texts, measure, width, style.padding);
    if (widths) return { size, widths, measure };
  }
  doc.fontSize(6);
  const measure: Measure = (s) => doc.widthOfString(s);
  const share = width / t.columns.length;
  return { size: 6, widths: t.columns.map(() => share), measure };
}

/**
 * Draws a table at the current position across the page's text width: ruled rows, numbers
 * right-aligned, text wrapped inside its column, the header repeated at the top of every page the
 * table runs on; leaves doc.y under the table.
 */
export function drawTable(doc: Doc, t: Table, style: TableStyle): void {
  const x0 = doc.page.margins.left;
  const width = doc.page.width - x0 - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const texts = t.rows.map((row) => t.columns.map((c, i) => cellText(row[i] ?? null, c)));
  const { size, widths, measure } = layout(doc, t, texts, width, style);
  const pad = style.padding;
  const lineHeight = size * 1.3;
  const cellLines = (cells: string[]) => cells.map((s, i) => wrap(s, (widths[i] ?? 0) - 2 * pad, measure));
  const heightOf = (lines: string[][]) => Math.max(1, ...lines.map((l) => l.length)) * lineHeight + 2 * pad;

  const drawRow = (lines: string[][], header: boolean, rowIndex: number) => {
    const h = heightOf(lines);
    const y = doc.y;
    if (header) doc.rect(x0, y, width, h).fill('#eeeeee');
    let x = x0;
    lines.forEach((cell, i) => {
      const col = t.columns[i] as Column;
      const w = widths[i] ?? 0;
      const raw = header ? undefined : t.rows[rowIndex]?.[i];
      const colour = header
        ? '#000000'
        : raw && isAbsent(raw)
          ? GREY
          : (statusColours[cell.join('')] ?? '#000000');
      doc.fillColor(colour);
      cell.forEach((line, k) => {
        const lw = measure(line);
        const tx = isNumeric(col) ? x + w - pad - lw : x + pad;
        doc.text(line, tx, y + pad + k * lineHeight, { lineBreak: false });
      });
      x += w;
    });
    doc.fillColor('#000000');
    doc
      .moveTo(x0, y + h)
      .lineTo(x0 + width, y + h)
      .lineWidth(header ? 0.8 : 0.3)
      .strokeColor(header ? '#000000' : RULE)
      .stroke();
    doc.y = y + h;
  };

  const headerLines = cellLines(t.columns.map(headerLabel));
  const startPage = () => {
    doc
      .moveTo(x0, doc.y)
      .lineTo(x0 + width, doc.y)
      .lineWidth(0.8)
      .strokeColor('#000000')
      .stroke();
    if (style.header) drawRow(headerLines, true, -1);
  };
  doc.fontSize(size);
  if (doc.y + heightOf(headerLines) + lineHeight * 2 > bottom()) doc.addPage();
  startPage();
  texts.forEach((cells, r) => {
    const lines = cellLines(cells);
    if (doc.y + heightOf(lines) > bottom()) {
      doc.addPage();
      doc.fontSize(size);
      startPage();
    }
    drawRow(lines, false, r);
  });
  if (t.rows.length === 0) {
    doc.fillColor(GREY).text('（无）', x0 + pad, doc.y + pad, { lineBreak: false });
    doc.fillColor('#000000');
    doc.y += lineHeight + 2 * pad;
  }
  doc.x = x0;
}
