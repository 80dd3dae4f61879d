import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { loadSite } from '../../core/config/loadSite.ts';
import { ImportError, Ledger } from './ledger.ts';

/** The demo site (examples/demo-site.yaml): its buildings are what rows name. */
const demoSite = fileURLToPath(new URL('../../examples/demo-site.yaml', import.meta.url));

/** What the ledger's tests share: the demo site, a ledger in a fresh folder, files written into it. */
export const site = loadSite(demoSite).config;
export const now = new Date('2026-01-05T02:00:00Z');
export const HEAD = 'building,period_start,period_end,energy_type,quantity,unit,source';

/** A ledger in a new temporary folder, and a writer of files beside it. */
export function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'jn-ledger-'));
  const ledger = new Ledger(join(dir, 'ledger.db'));
  const csv = (name: string, text: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  return { dir, ledger, csv };
}

/** The problems an import threw, or [] when it was stored. */
export async function problemsOf(p: Promise<unknown> | (() => unknown)): Promise<string[]> {
  try {
    await (typeof p === 'function' ? p() : p);
    return [];
  } catch (err) {
    if (err instanceof ImportError) return err.problems;
    throw err;
  }
}

/** An XLSX file with one sheet: the header row, then `rows` as exceljs writes their values. */
export async function xlsx(file: string, header: string[], rows: unknown[][]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('data');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  await wb.xlsx.writeFile(file);
  return file;
}

/** Twelve monthly electricity bills of zonghe-lou for `year`, `kwh` each, as CSV lines. */
export const months = (year: number, kwh: number) =>
  Array.from({ length: 12 }, (_, m) => {
    const last = new Date(Date.UTC(year, m + 1, 0)).getUTCDate();
    const mm = String(m + 1).padStart(2, '0');
    return `zonghe-lou,${year}-${mm}-01,${year}-${mm}-${last},electricity,${kwh},kWh,${year}年${m + 1}月电费单`;
  }).join('\n');
