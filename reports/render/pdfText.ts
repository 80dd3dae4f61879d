/**
 * Line breaking for the PDF, done here rather than by pdfkit so that a unit never leaves its number
 * ("14.089 kgce/m²" stays on one line), a number never breaks, and every line is measured with the
 * font it is drawn in: Chinese may break between any two characters, Latin runs only at spaces.
 */

/** The width of a string in the document's current font and size, in points. */
export type Measure = (s: string) => number;

const NBSP = '\u00a0';
const isCjk = (ch: string) => /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/.test(ch);
/** Punctuation that must not start a line. */
const closing = (ch: string) => /[，。；：、）》」』！？%,.;:)\]]/.test(ch);
/** Punctuation that must not end a line. */
const opening = (ch: string) => /[（《「『([]/.test(ch);

const UNITS = [
  'kgce',
  'kgCO₂',
  'tce',
  'kWh',
  'MWh',
  'm²',
  'm³',
  'MJ',
  'GJ',
  'kg',
  'L',
  't',
  '人',
  '天',
  '元',
  '%',
];
const unitAfterSpace = new RegExp(`(\\d)[ ](?=(?:${UNITS.join('|')})(?![A-Za-z]))`, 'g');

/** Joins a number to the unit after it with a no-break space: "0.1229 kgce/kWh" cannot break. */
export const bindUnits = (s: string): string => s.replace(unitAfterSpace, `$1${NBSP}`);

/**
 * Characters the embedded font draws as nothing (WenQuanYi Micro Hei's ℃, U+2103, is an empty
 * glyph), written the way it can draw them.
 */
const substitutes: Record<string, string> = { '℃': '°C' };
/** The text with those characters replaced. */
export const printable = (s: string): string => s.replace(/[℃]/g, (ch) => substitutes[ch] ?? ch);

function joins(prev: string, ch: string): boolean {
  if (ch === NBSP || prev === NBSP || closing(ch) || opening(prev)) return true;
  return !isCjk(prev) && !isCjk(ch);
}

/** The text as unbreakable pieces; ' ' and '\n' are pieces of their own (a break and a forced break). */
export function tokens(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const ch of bindUnits(printable(s))) {
    if (ch === ' ' || ch === '\n') {
      if (cur) out.push(cur);
      out.push(ch);
      cur = '';
    } else if (cur && joins(cur.at(-1) ?? '', ch)) cur += ch;
    else {
      if (cur) out.push(cur);
      cur = ch;
    }
  }
  if (cur) out.push(cur);
  return out;
}

/** A piece wider than the line (a long path or source) is cut by characters: only text, never numbers. */
function cut(token: string, width: number, measure: Measure): string[] {
  const parts: string[] = [];
  let cur = '';
  for (const ch of token) {
    if (cur && measure(cur + ch) > width) {
      parts.push(cur);
      cur = ch;
    } else cur += ch;
  }
  if (cur) parts.push(cur);
  return parts;
}

/** Text wrapped to lines no wider than `width` points (no-break spaces drawn as spaces). */
export function wrap(text: string, width: number, measure: Measure): string[] {
  const lines: string[] = [];
  let line = '';
  const flush = () => {
    lines.push(line.trimEnd().replaceAll(NBSP, ' '));
    line = '';
  };
  for (const token of tokens(text)) {
    if (token === '\n') {
      flush();
      continue;
    }
    if (token === ' ' && line === '') continue;
    const pieces = measure(token) > width ? cut(token, width, measure) : [token];
    for (const piece of pieces) {
      if (line !== '' && measure((line + piece).trimEnd()) > width) flush();
      if (!(piece === ' ' && line === '')) line += piece;
    }
  }
  if (line !== '' || lines.length === 0) flush();
  return lines;
}

/** The widest unbreakable piece of a text, in points: the narrowest its column can be. */
export const widestToken = (text: string, measure: Measure): number =>
  Math.max(0, ...tokens(text).map((t) => measure(t.replaceAll(NBSP, ' '))));

/** The widest line of a text as written (its lines joined by '\n' only), in points. */
export const naturalWidth = (text: string, measure: Measure): number =>
  Math.max(0, ...text.split('\n').map((l) => measure(bindUnits(l).replaceAll(NBSP, ' '))));
