import type PDFDocument from 'pdfkit';
import type { Column, Table } from './model.ts';
import { type Measure, naturalWidth, widestToken } from './pdfText.ts';

/** How a table fits the page's text width: its font size and each column's width, in points. */

type Doc = InstanceType<typeof PDFDocument>;

/** Number and percent columns are right-aligned and never wrap. */
export const isNumeric = (c: Column): boolean => c.kind !== 'text';
/** A header as drawn: its PDF form (broken between words) and the unit on a line of its own under it. */
export const headerLabel = (c: Column): string => {
  const name = c.pdfHeader ?? c.header;
  return c.unit ? `${name}\n${c.unit}` : name;
};

/**
 * Column widths for the page: each column's natural width when they all fit. Else each column gets
 * a least width — a number column its widest number (its header may wrap), a short text (up to
 * eight characters, like 达标进度内) its whole width, a longer one its widest unbreakable piece —
 * and the rest is shared out by how much more each would like. null when even that does not fit.
 */
/** A table's cells as text, the page's text width and the padding inside each cell, in points. */
export interface FitInput {
  texts: string[][];
  width: number;
  padding: number;
}

function columnWidths(t: Table, { texts, width, padding: pad }: FitInput, measure: Measure): number[] | null {
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

/**
 * The largest font size from `fontSize` down to 6 pt at which the columns fit `width` points
 * with the column widths and a measure in that size (the document is left at that size).
 */
export function fitColumns(doc: Doc, t: Table, fit: FitInput & { fontSize: number }) {
  for (let size = fit.fontSize; size >= 6; size -= 0.5) {
    doc.fontSize(size);
    const measure: Measure = (s) => doc.widthOfString(s);
    const widths = columnWidths(t, fit, measure);
    if (widths) return { size, widths, measure };
  }
  doc.fontSize(6);
  const measure: Measure = (s) => doc.widthOfString(s);
  const share = fit.width / t.columns.length;
  return { size: 6, widths: t.columns.map(() => share), measure };
}
