import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { SiteConfig } from '../../core/config/siteSchema.ts';
import { ImportError, type LedgerKind } from '../../core/reports/port.ts';
import type { BuildingFact, EnergyEntry, EnergyType } from '../../core/reports/report.ts';
import { energyUnits } from '../energy.ts';

export { ImportError, type LedgerKind };

/**
 * What officers enter rather than meter — dated building facts (建筑面积, 用能人数) and energy
 * entries (bills for baseline years, vehicle fuel, bottled gas, purchased heat) — in
 * `<data-dir>/ledger.db` (SQLite, whichever time-series store is used), with an audit trail of
 * every import. A re-import of the same building, type and period replaces the earlier entry.
 */
export const FACT_COLUMNS = ['building', 'effective_from', 'floor_area_m2', 'headcount'] as const;
export const ENTRY_COLUMNS = [
  'building',
  'period_start',
  'period_end',
  'energy_type',
  'quantity',
  'unit',
  'source',
] as const;

const isDate = (v: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(v) &&
  !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) &&
  new Date(`${v}T00:00:00Z`).toISOString().startsWith(v);

/** Rows of a CSV file (UTF-8, with or without BOM) checked against the expected header. */
function readCsv(
  file: string,
  columns: readonly string[],
): { rows: Record<string, string>[]; problems: string[] } {
  const text = readFileSync(file, 'utf8');
  let records: string[][];
  try {
    records = parse(text, { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true });
  } catch (err) {
    return { rows: [], problems: [`${file}: not readable as CSV: ${(err as Error).message}`] };
  }
  const [header, ...body] = records;
  const got = (header ?? []).map((h) => h.trim());
  if (got.join(',') !== columns.join(','))
    return {
      rows: [],
      problems: [`${file}: row 1 (header) is "${got.join(',')}"; it must be exactly "${columns.join(',')}"`],
    };
  const problems: string[] = [];
  const rows = body.map((cells, i) => {
    if (cells.length !== columns.length)
      problems.push(
        `${file}: row ${i + 2}: ${cells.length} column(s); expected ${columns.length} (${columns.join(',')})`,
      );
    return Object.fromEntries(columns.map((c, k) => [c, cells[k] ?? '']));
  });
  return { rows, problems };
}

/** JSON objects as rows of text cells (like CSV's), with unknown or missing keys reported. */
function objectRows(
  items: unknown[],
  columns: readonly string[],
  what: string,
): { rows: Record<string, string>[]; problems: string[] } {
  const problems: string[] = [];
  if (!Array.isArray(items) || items.length === 0)
    return {
      rows: [],
      problems: [`${what}: send a non-empty JSON list of objects with ${columns.join(', ')}`],
    };
  const rows = items.map((item, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${what}[${i}]: an object with ${columns.join(', ')}`);
      return {};
    }
    const extra = Object.keys(item).filter((k) => !columns.includes(k));
    if (extra.length > 0)
      problems.push(`${what}[${i}]: unknown key(s) ${extra.join(', ')}; allowed: ${columns.join(', ')}`);
    const rec = item as Record<string, unknown>;
    return Object.fromEntries(
      columns.map((c) => [c, rec[c] === undefined || rec[c] === null ? '' : String(rec[c])]),
    );
  });
  return { rows, problems };
}

export class Ledger {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS facts (
        building TEXT NOT NULL, effective_from TEXT NOT NULL, floor_area_m2 REAL NOT NULL, headcount REAL NOT NULL,
        source_file TEXT NOT NULL, imported_at TEXT NOT NULL, PRIMARY KEY (building, effective_from));
      CREATE TABLE IF NOT EXISTS entries (
        building TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL, energy_type TEXT NOT NULL,
        quantity REAL NOT NULL, quantity_given REAL NOT NULL, unit_given TEXT NOT NULL, source TEXT NOT NULL,
        source_file TEXT NOT NULL, imported_at TEXT NOT NULL,
        PRIMARY KEY (building, energy_type, period_start, period_end));
      CREATE TABLE IF NOT EXISTS audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL);`);
  }

  /**
   * Validates every row of a CSV file (facts or entries) against the site and imports all of
   * them, or none; problems name the row and column.
   */
  importFile(
    kind: LedgerKind,
    file: string,
    site: SiteConfig,
    now = new Date(),
  ): { imported: number; replaced: number } {
    const { rows, problems } = readCsv(file, kind === 'facts' ? FACT_COLUMNS : ENTRY_COLUMNS);
    const name = basename(file);
    return this.add(
      kind,
      rows,
      problems,
      (i, col) => `${name}: row ${i + 2}, column ${col}`,
      name,
      `import ${kind}`,
      site,
      now,
    );
  }

  /** Facts or entries through the API (a list of objects with the CSV's columns); all or none. */
  enter(
    kind: LedgerKind,
    items: unknown[],
    who: string,
    site: SiteConfig,
    now = new Date(),
  ): { imported: number; replaced: number } {
    const { rows, problems } = objectRows(items, kind === 'facts' ? FACT_COLUMNS : ENTRY_COLUMNS, kind);
    return this.add(
      kind,
      rows,
      problems,
      (i, col) => `${kind}[${i}].${col}`,
      `api:${who}`,
      `enter ${kind}`,
      site,
      now,
    );
  }

  private add(
    kind: LedgerKind,
    ...args: Parameters<Ledger['addFacts']>
  ): { imported: number; replaced: number } {
    return kind === 'facts' ? this.addFacts(...args) : this.addEntries(...args);
  }

  private addFacts(
    rows: Record<string, string>[],
    problems: string[],
    where: (i: number, col: string) => string,
    origin: string,
    action: string,
    site: SiteConfig,
    now: Date,
  ): { imported: number; replaced: number } {
    const buildings = site.organization.buildings.map((b) => b.id);
    const facts: BuildingFact[] = [];
    rows.forEach((r, i) => {
      const at = (col: string) => `${where(i, col)}: "${r[col] ?? ''}"`;
      const before = problems.length;
      if (!buildings.includes(r.building ?? ''))
        problems.push(`${at('building')}: no such building; buildings are ${buildings.join(', ')}`);
      if (!isDate(r.effective_from ?? ''))
        problems.push(`${at('effective_from')}: write a date as YYYY-MM-DD`);
      const area = Number(r.floor_area_m2);
      if (!(r.floor_area_m2 !== '' && Number.isFinite(area) && area > 0))
        problems.push(`${at('floor_area_m2')}: a floor area in m², greater than 0`);
      const people = Number(r.headcount);
      if (!(r.headcount !== '' && Number.isFinite(people) && people >= 0))
        problems.push(`${at('headcount')}: a number of people, 0 or more`);
      if (problems.length === before)
        facts.push({
          building: r.building ?? '',
          effective_from: r.effective_from ?? '',
          floor_area_m2: area,
          headcount: people,
        });
    });
    if (problems.length > 0) throw new ImportError(problems);
    return this.store(
      facts,
      'SELECT 1 FROM facts WHERE building = ? AND effective_from = ?',
      (f) => [f.building, f.effective_from],
      'INSERT OR REPLACE INTO facts VALUES (@building, @effective_from, @floor_area_m2, @headcount, @source_file, @imported_at)',
      origin,
      action,
      now,
    );
  }

  private addEntries(
    rows: Record<string, string>[],
    problems: string[],
    where: (i: number, col: string) => string,
    origin: string,
    action: string,
    site: SiteConfig,
    now: Date,
  ): { imported: number; replaced: number } {
    const buildings = site.organization.buildings.map((b) => b.id);
    const types = Object.keys(energyUnits) as EnergyType[];
    const entries: (EnergyEntry & { quantity_given: number; unit_given: string })[] = [];
    rows.forEach((r, i) => {
      const at = (col: string) => `${where(i, col)}: "${r[col] ?? ''}"`;
      const before = problems.length;
      if (!buildings.includes(r.building ?? ''))
        problems.push(`${at('building')}: no such building; buildings are ${buildings.join(', ')}`);
      for (const col of ['period_start', 'period_end'])
        if (!isDate(r[col] ?? '')) problems.push(`${at(col)}: write a date as YYYY-MM-DD`);
      if (
        isDate(r.period_start ?? '') &&
        isDate(r.period_end ?? '') &&
        (r.period_end ?? '') < (r.period_start ?? '')
      )
        problems.push(`${at('period_end')}: before period_start ${r.period_start}`);
      const type = r.energy_type as EnergyType;
      if (!types.includes(type)) problems.push(`${at('energy_type')}: one of ${types.join(', ')}`);
      const quantity = Number(r.quantity);
      if (!(r.quantity !== '' && Number.isFinite(quantity) && quantity >= 0))
        problems.push(`${at('quantity')}: a number, 0 or more`);
      const units = types.includes(type) ? energyUnits[type] : undefined;
      const factor = units?.accepts[r.unit ?? ''];
      if (units && factor === undefined)
        problems.push(`${at('unit')}: ${type} is entered in ${Object.keys(units.accepts).join(' or ')}`);
      if (!(r.source ?? '').trim())
        problems.push(`${at('source')}: say where the figure comes from (a bill, the filed statistics…)`);
      if (problems.length === before && factor !== undefined)
        entries.push({
          building: r.building ?? '',
          period_start: r.period_start ?? '',
          period_end: r.period_end ?? '',
          energy_type: type,
          quantity: quantity * factor,
          quantity_given: quantity,
          unit_given: r.unit ?? '',
          source: r.source ?? '',
        });
    });
    if (problems.length > 0) throw new ImportError(problems);
    return this.store(
      entries,
      'SELECT 1 FROM entries WHERE building = ? AND energy_type = ? AND period_start = ? AND period_end = ?',
      (e) => [e.building, e.energy_type, e.period_start, e.period_end],
      `INSERT OR REPLACE INTO entries VALUES (@building, @period_start, @period_end,
      @energy_type, @quantity, @quantity_given, @unit_given, @source, @source_file, @imported_at)`,
      origin,
      action,
      now,
    );
  }

  /** Writes validated rows in one transaction (a row with the same key replaces the earlier one) and audits it. */
  private store<T extends object>(
    rows: T[],
    existsSql: string,
    key: (row: T) => unknown[],
    insertSql: string,
    origin: string,
    action: string,
    now: Date,
  ): { imported: number; replaced: number } {
    let replaced = 0;
    const exists = this.db.prepare(existsSql);
    const insert = this.db.prepare(insertSql);
    this.db.transaction(() => {
      for (const row of rows) {
        if (exists.get(...key(row))) replaced++;
        insert.run({ ...row, source_file: origin, imported_at: now.toISOString() });
      }
      this.audit(now, action, { origin, rows: rows.length, replaced });
    })();
    return { imported: rows.length, replaced };
  }

  facts(): BuildingFact[] {
    return this.db
      .prepare('SELECT building, effective_from, floor_area_m2, headcount FROM facts')
      .all() as BuildingFact[];
  }

  entries(): EnergyEntry[] {
    return this.db
      .prepare('SELECT building, period_start, period_end, energy_type, quantity, source FROM entries')
      .all() as EnergyEntry[];
  }

  auditLog(): { at: string; action: string; detail: unknown }[] {
    return (
      this.db.prepare('SELECT at, action, detail FROM audit ORDER BY id').all() as {
        at: string;
        action: string;
        detail: string;
      }[]
    ).map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
  }

  private audit(now: Date, action: string, detail: unknown): void {
    this.db
      .prepare('INSERT INTO audit (at, action, detail) VALUES (?, ?, ?)')
      .run(now.toISOString(), action, JSON.stringify(detail));
  }

  close(): void {
    this.db.close();
  }
}
