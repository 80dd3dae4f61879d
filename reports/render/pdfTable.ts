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
  // What each column would like beyond its least, a very long text counting as at most 60 % of the
  // width (else one long note would starve the other columns to a character each).
  const grow = natural.map((n, i) => Math.max(0, Math.min(n, inner * 0.6) - (least[i] ?? 0)));
  const spare = inner - sum(least);
  const wanted = sum(grow);
  if (wanted <= spare) {
    // Every column gets what it would like; the slack goes to the columns whose long text was
    // counted short, else to the text columns (or to all when there are none).
    const capped = natural.map((n, i) => n > (least[i] ?? 0) + (grow[i] ?? 0));
    const text = t.columns.map((c) => !isNumeric(c));
    const takers = capped.some(Boolean) ? capped : text.some(Boolean) ? text : t.columns.map(() => true);
    const extra = (spare - wanted) / takers.filter(Boolean).length;
    return least.map((l, i) => l + (grow[i] ?? 0) + 2 * pad + (takers[i] ? extra : 0));
  }
  // Not enough for all: first every text column up to twelve characters, the smallest wishes first (a name
  // of nine characters gets its line), then what is left by how much more each would like.
  const short = grow.map((g, i) =>
    isNumeric(t.columns[i] as Column) ? 0 : Math.max(0, Math.min(g, (cap * 12) / 8 - (least[i] ?? 0))),
  );
  const first = shareOut(short, spare);
  const rest = grow.map((g, i) => g - (first[i] ?? 0));
  const left = spare - sum(first);
  const restWanted = sum(rest);
  return least.map(
    (l, i) => l + (first[i] ?? 0) + (restWanted > 0 ? ((rest[i] ?? 0) / restWanted) * left : 0) + 2 * pad,
  );
}

/** Splits `total` so that no one gets more than they want and the smallest wants are met in full. */
function shareOut(wants: number[], total: number): number[] {
  const out = wants.map(() => 0);
  const order = wants.map((w, i) => ({ w, i })).sort((a, b) => a.w - b.w);
  let left = total;
  order.forEach(({ w, i }, k) => {
    const fair = left / (order.length - k);
    out[i] = Math.min(w, fair);
    left -= out[i] ?? 0;
  });
  return out;
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
  const newPage = () => {
    doc.addPage();
    doc.fontSize(size);
    startPage();
  };
  texts.forEach((cells, r) => {
    let lines = cellLines(cells);
    if (doc.y + heightOf(lines) > bottom()) newPage();
    // A row taller than a whole page (a very long note) continues on the next page, never off it.
    while (doc.y + heightOf(lines) > bottom()) {
      const fit = Math.max(1, Math.floor((bottom() - doc.y - 2 * pad) / lineHeight));
      drawRow(
        lines.map((l) => l.slice(0, fit)),
        false,
        r,
      );
      lines = lines.map((l) => l.slice(fit));
      newPage();
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
